"""The built image, run for real (`make test-image`; needs podman and the image `make image` built).

One container, as an operator would run it hardened: read-only root filesystem, the image's
own user, the catalog cache on a named volume. Through it: /livez, the image's HEALTHCHECK, and a
chat completion with the real OpenAI SDK to a strict fake upstream on the host's loopback.
The container shares the host's network namespace so it can reach that fake; the proxy binds
127.0.0.1 there (the image's default 0.0.0.0 is replaced on the command line).
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import shutil
import socket
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import aiohttp
import pytest
from openai import AsyncOpenAI

from tests.fakes.strict import OpenAIChatFake, always

pytestmark = pytest.mark.image

ROOT = Path(__file__).resolve().parents[2]
IMAGE = os.environ.get("CTXPROXY_IMAGE", "localhost/ctxproxy:0.1.0")


def _build_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("ctxproxy_image_build", ROOT / "deploy/image/build.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def podman(*args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    r = subprocess.run(["podman", *args], capture_output=True, text=True, timeout=timeout)
    if check and r.returncode != 0:
        raise AssertionError(f"podman {' '.join(args)} -> {r.returncode}: {r.stderr.strip()}")
    return r


@pytest.fixture(scope="module")
def runtime() -> tuple[list[str], list[str]]:
    assert shutil.which("podman"), "podman is not installed (make image-deps)"
    assert podman("image", "exists", IMAGE, check=False).returncode == 0, f"{IMAGE} not built (make image)"
    flags: tuple[list[str], list[str]] = _build_module().runtime_flags("podman", IMAGE)
    return flags


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def container(runtime: tuple[list[str], list[str]]) -> Iterator[tuple[str, str, list[str]]]:
    name = f"ctxproxy-test-{uuid.uuid4().hex[:8]}"
    global_flags, _ = runtime
    yield name, f"http://127.0.0.1:{_free_port()}", global_flags
    podman(*global_flags, "rm", "-f", "-t", "0", name, check=False)
    podman(*global_flags, "volume", "rm", "-f", f"{name}-cache", check=False)


async def _wait_ready(url: str, name: str, global_flags: list[str]) -> None:
    async with aiohttp.ClientSession() as s:
        for _ in range(600):
            try:
                async with s.get(f"{url}/readyz") as r:
                    if r.status == 200:
                        return
            except aiohttp.ClientConnectionError:
                pass
            state = podman(*global_flags, "inspect", "--format", "{{.State.Status}}", name).stdout.strip()
            if state not in ("running", "created", "configured"):
                logs = podman(*global_flags, "logs", name, check=False)
                raise AssertionError(f"container {state}: {logs.stdout[-2000:]}{logs.stderr[-2000:]}")
            await asyncio.sleep(0.1)
    raise AssertionError("the proxy in the container never became ready")


async def test_image_serves_read_only_as_10001(
    container: tuple[str, str, list[str]], runtime: tuple[list[str], list[str]]
) -> None:
    name, url, global_flags = container
    port = url.rsplit(":", 1)[1]
    async with OpenAIChatFake(window=32_000, script=always("pong from the fake")) as fake:
        podman(
            *global_flags,
            "run",
            "-d",
            "--name",
            name,
            *runtime[1],
            "--read-only",  # podman adds tmpfs /tmp, /var/tmp, /run (as Kubernetes' emptyDir /tmp)
            "--volume",  # a fresh named volume takes the image's /var/cache/ctxproxy (owner 10001)
            f"{name}-cache:/var/cache/ctxproxy",
            "--network",
            "host",
            "--cap-drop",
            "ALL",
            "--security-opt",
            "no-new-privileges",
            "-e",
            f"CTXPROXY_UPSTREAMS__OPENAI__BASE_URL={fake.base_url}",
            "-e",
            "CTXPROXY_UPSTREAMS__OPENAI__API_KEY_ENV=null",
            "-e",
            "CTXPROXY_CATALOG__REFRESH_ON_START=false",  # offline: no catalog fetch
            "-e",
            f"CTXPROXY_SERVER__PORT={port}",  # the HEALTHCHECK follows it
            IMAGE,
            "serve",
            "--host",
            "127.0.0.1",
        )
        await _wait_ready(url, name, global_flags)

        async with aiohttp.ClientSession() as s, s.get(f"{url}/livez") as r:
            assert r.status == 200
        async with AsyncOpenAI(base_url=f"{url}/openai", api_key="sk-client", max_retries=0) as client:
            reply = await client.chat.completions.create(
                model="gpt-4o-mini", messages=[{"role": "user", "content": "ping-7f3a9c"}]
            )
            stream = await client.chat.completions.create(
                model="gpt-4o-mini", messages=[{"role": "user", "content": "ping-7f3a9c"}], stream=True
            )
            streamed = "".join([c.choices[0].delta.content or "" async for c in stream if c.choices])
        assert reply.choices[0].message.content == "pong from the fake"
        assert streamed == "pong from the fake"  # SSE through the container
        assert len(fake.ok) == 2 and fake.invalid == []
        assert all(r.headers.get("Authorization") == "Bearer sk-client" for r in fake.requests)

        # the image's user, numeric, and what the process really runs as
        assert (
            podman("image", "inspect", "--format", "{{.Config.User}}", IMAGE).stdout.strip() == "10001:10001"
        )
        ids = podman(*global_flags, "exec", name, "sh", "-c", "id -u; id -g").stdout.split()
        assert ids == ["10001", "10001"]
        status = podman(*global_flags, "exec", name, "sh", "-c", "grep -E '^(Uid|Gid):' /proc/1/status")
        assert [line.split()[1:] for line in status.stdout.splitlines()] == [["10001"] * 4] * 2
        # read-only root: nothing can be written outside the cache and /tmp
        for path in ("/opt/ctxproxy/x", "/etc/ctxproxy/x", "/home/ctxproxy/x"):
            w = podman(*global_flags, "exec", name, "touch", path, check=False)
            assert w.returncode != 0 and "Read-only file system" in w.stderr, (path, w.stderr)
        for path in ("/var/cache/ctxproxy/x", "/tmp/x"):
            podman(*global_flags, "exec", name, "touch", path)
        # the image's HEALTHCHECK command (python urllib -> /livez) passes
        assert podman(*global_flags, "healthcheck", "run", name, check=False).returncode == 0

        # SIGTERM: drains and exits 0
        podman(*global_flags, "stop", "-t", "40", name)
        code = podman(*global_flags, "inspect", "--format", "{{.State.ExitCode}}", name).stdout.strip()
        assert code == "0"
        logs = podman(*global_flags, "logs", name).stderr + podman(*global_flags, "logs", name).stdout
        assert "server.stopping" in logs
        assert "sk-client" not in logs and "ping-7f3a9c" not in logs  # no keys, no prompts in the log


async def test_default_command_on_a_published_port(
    container: tuple[str, str, list[str]], runtime: tuple[list[str], list[str]]
) -> None:
    """The image as shipped: its CMD (0.0.0.0:8787 in its own network namespace, the bundled
    /etc/ctxproxy/ctxproxy.yaml), published on the host's loopback only."""
    name, url, global_flags = container
    port = url.rsplit(":", 1)[1]
    podman(
        *global_flags,
        "run",
        "-d",
        "--name",
        name,
        *runtime[1],
        "--read-only",
        "--volume",
        f"{name}-cache:/var/cache/ctxproxy",
        "--publish",
        f"127.0.0.1:{port}:8787",
        "-e",
        "CTXPROXY_CATALOG__REFRESH_ON_START=false",
        IMAGE,
    )
    await _wait_ready(url, name, global_flags)
    async with aiohttp.ClientSession() as s:
        async with s.get(f"{url}/livez") as r:
            assert r.status == 200
        async with s.post(f"{url}/nope/chat/completions", json={}) as r:
            assert r.status == 404 and "unknown upstream" in (await r.json())["error"]["message"]
    logs = podman(*global_flags, "logs", name)
    started = [line for line in (logs.stdout + logs.stderr).splitlines() if "server.started" in line]
    assert started and '"host":"0.0.0.0"' in started[0] and '"port":8787' in started[0]
    assert podman(*global_flags, "healthcheck", "run", name, check=False).returncode == 0
