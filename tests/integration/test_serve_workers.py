"""``serve --workers 2``: one scrape of /metrics, /stats or /status.json sees every worker."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import aiohttp
import orjson
from aiohttp.test_utils import TestServer

from tests.integration.test_serve_process import _free_port, _spawn, _wait_ready, _workers_started

N = 24


def _requests_total(metrics: str) -> float:
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in metrics.splitlines()
        if line.startswith("ctxproxy_requests_total{")
    )


async def test_two_workers_one_scrape_sees_both(tmp_path: Path, fake: TestServer, fake_url: str) -> None:
    port = _free_port()
    cfg = tmp_path / "c.yaml"
    cfg.write_text(
        orjson.dumps(
            {
                "server": {"port": port, "workers": 2},
                "default_upstream": "fake",
                "upstreams": {"fake": {"base_url": f"{fake_url}/v1", "api": "openai", "api_key_env": None}},
                "catalog": {
                    "cache_dir": str(tmp_path / "cache"),
                    "refresh_on_start": False,
                    "sources": ["litellm"],
                },
                "status": {"bucket_s": 1},
            }
        ).decode()
    )
    proc = await _spawn(tmp_path, "serve", "--config", str(cfg))
    url = f"http://127.0.0.1:{port}"
    try:
        await _workers_started(proc, 2)
        await _wait_ready(url, proc)
        body = orjson.dumps({"model": "m", "messages": [{"role": "user", "content": "hi"}]})
        async with aiohttp.ClientSession() as s:
            for i in range(N):  # a new connection each time: the kernel spreads them over both workers
                async with s.post(
                    f"{url}/agent/a{i % 2}/fake/chat/completions",
                    data=body,
                    headers={"Authorization": "Bearer k", "Connection": "close"},
                ) as r:
                    assert r.status == 200
            for _ in range(6):  # whichever worker answers, it reports both
                async with s.get(f"{url}/metrics", headers={"Connection": "close"}) as r:
                    assert _requests_total(await r.text()) == N
                async with s.get(f"{url}/stats", headers={"Connection": "close"}) as r:
                    stats = await r.json()
                    assert stats["total"]["requests"] == N
                    assert stats["agents"]["a0"]["requests"] == stats["agents"]["a1"]["requests"] == N // 2
            async with s.get(f"{url}/status.json", headers={"Connection": "close"}) as r:
                status = await r.json()
    finally:
        proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(proc.wait(), 30)
    assert proc.returncode == 0
    per_worker = status["per_worker"]
    assert status["workers"] == 2 and len({w["pid"] for w in per_worker}) == 2
    assert all(w["requests"] > 0 for w in per_worker), per_worker  # both really served some
    assert sum(w["requests"] for w in per_worker) == N
    assert sum(sum(a["requests"]) for a in status["series"]["agents"].values()) == N
    assert sum(status["series"]["proxy"]["requests"]) == N
