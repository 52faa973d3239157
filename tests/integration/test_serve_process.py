"""`ctxproxy serve` as a real process: serves the embedded default, drains streams on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path
from typing import Any

import aiohttp
import orjson
from aiohttp.test_utils import TestServer


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _spawn(tmp_path: Path, *args: str, **extra_env: str) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CTXPROXY_")}
    env.update({"HOME": str(tmp_path), "LITELLM_LOCAL_MODEL_COST_MAP": "True", **extra_env})
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "proxy",
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def _workers_started(
    proc: asyncio.subprocess.Process, workers: int, timeout_s: float = 60
) -> list[bytes]:
    """Wait until ``workers`` processes have logged ``server.started``; the stderr lines read."""
    seen: list[bytes] = []

    async def started() -> None:
        while sum(b'"server.started"' in line for line in seen) < workers:
            seen.append(await proc.stderr.readline())  # type: ignore[union-attr]

    await asyncio.wait_for(started(), timeout_s)
    return seen


async def _wait_ready(url: str, proc: asyncio.subprocess.Process) -> None:
    async with aiohttp.ClientSession() as s:
        for _ in range(300):
            if proc.returncode is not None:
                raise AssertionError(f"proxy exited: {(await proc.stderr.read()).decode()[-2000:]}")  # type: ignore[union-attr]
            try:
                async with s.get(f"{url}/readyz") as r:
                    if r.status == 200:
                        return
            except aiohttp.ClientConnectionError:
                pass
            await asyncio.sleep(0.05)
    raise AssertionError("proxy never became ready")


async def test_serves_the_embedded_default_config(tmp_path: Path) -> None:
    port = _free_port()
    # the embedded default, minus the network refresh (tests stay offline)
    proc = await _spawn(tmp_path, "serve", "--port", str(port), CTXPROXY_CATALOG__REFRESH_ON_START="false")
    url = f"http://127.0.0.1:{port}"
    try:
        await _wait_ready(url, proc)
        async with aiohttp.ClientSession() as s:
            async with s.get(f"{url}/livez") as r:
                assert r.status == 200
            async with s.post(f"{url}/nope/chat/completions", data=b"{}") as r:
                assert r.status == 404 and "unknown upstream" in (await r.json())["error"]["message"]
            async with s.get(f"{url}/v1/models") as r:
                assert r.status == 200 and (await r.json())["object"] == "list"
    finally:
        proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(proc.wait(), 30)
    assert proc.returncode == 0


async def test_sigterm_drains_an_open_stream(tmp_path: Path, fake: TestServer, fake_url: str) -> None:
    port = _free_port()
    cfg = tmp_path / "c.yaml"
    cfg.write_text(
        orjson.dumps(
            {
                "server": {"port": port, "drain_grace_s": 20},
                "upstreams": {"openai": {"base_url": f"{fake_url}/v1", "api": "openai", "api_key_env": None}},
                "catalog": {
                    "cache_dir": str(tmp_path / "cache"),
                    "refresh_on_start": False,
                    "sources": ["litellm"],
                },
            }
        ).decode()
    )
    proc = await _spawn(tmp_path, "serve", "--config", str(cfg))
    url = f"http://127.0.0.1:{port}"
    await _wait_ready(url, proc)
    body = orjson.dumps({"model": "m", "stream": True, "messages": [{"role": "user", "content": "go"}]})
    async with aiohttp.ClientSession() as s:
        async with s.post(
            f"{url}/openai/slow/chat/completions?n=30", data=body, headers={"Authorization": "Bearer k"}
        ) as resp:
            first = await resp.content.readline()
            assert first.startswith(b"data: ")
            proc.send_signal(signal.SIGTERM)
            await asyncio.sleep(0.2)
            async with s.get(f"{url}/readyz") as r:
                assert r.status == 503 and (await r.json())["status"] == "draining"
            rest = await resp.read()
    events = [line for line in (first + rest).split(b"\n") if line.startswith(b"data: ")]
    assert len(events) == 31 and events[-1] == b"data: [DONE]"  # the stream finished whole
    await asyncio.wait_for(proc.wait(), 30)
    assert proc.returncode == 0
    log: Any = (await proc.stderr.read()).decode()  # type: ignore[union-attr]
    lines = [orjson.loads(line) for line in log.splitlines() if line.startswith("{")]
    names = [e["event"] for e in lines]
    assert "server.draining" in names and "request.completed" in names
    stop = next(e for e in lines if e["event"] == "server.stopping")
    assert stop["drained"] is True


async def test_workers_share_the_port(tmp_path: Path) -> None:
    port = _free_port()
    proc = await _spawn(
        tmp_path, "serve", "--port", str(port), "--workers", "2", CTXPROXY_CATALOG__REFRESH_ON_START="false"
    )
    url = f"http://127.0.0.1:{port}"
    seen: list[bytes] = []
    try:
        seen = await _workers_started(proc, 2)
        await _wait_ready(url, proc)
        async with aiohttp.ClientSession() as s:
            for _ in range(20):
                async with s.get(f"{url}/livez", headers={"Connection": "close"}) as r:
                    assert r.status == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(proc.wait(), 30)
    log = b"".join(seen).decode() + (await proc.stderr.read()).decode()  # type: ignore[union-attr]
    events = [orjson.loads(line) for line in log.splitlines() if line.startswith("{")]
    started = {e["pid"] for e in events if e["event"] == "server.started"}
    assert len(started) == 2  # two processes listening on one port (SO_REUSEPORT)
    assert sum(e["event"] == "server.stopping" for e in events) == 2
    assert proc.returncode == 0
