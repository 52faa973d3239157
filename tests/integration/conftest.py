"""Real servers on loopback: a fake upstream and the proxy in front of it."""

from __future__ import annotations

import asyncio
import io
import socket
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
import anthropic
import openai
import pytest
import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestServer

from proxy.app import create_app
from proxy.appkeys import LIFECYCLE, SETTINGS
from proxy.config import Settings, load_settings
from proxy.observability.logging import configure_logging
from proxy.server.bind import note_bound
from tests.fakes import transport
from tests.fakes.catalog_server import FakeCatalogServer


@dataclass
class Running:
    url: str
    app: web.Application
    runner: web.AppRunner


async def fetch_stats(proxy: Running) -> dict[str, Any]:
    """The proxy's ``/stats`` document."""
    async with aiohttp.ClientSession() as s, s.get(f"{proxy.url}/stats") as r:
        return await r.json()  # type: ignore[no-any-return]


async def start_app(app: web.Application, host: str | None = None, wait_ready: bool = True) -> Running:
    """Bind ``host`` (default: the settings' ``server.host``) on a free port; talk over loopback.
    By default return once /readyz would say ready (start-up loads the tokenizer encodings in a
    worker thread while the port is open)."""
    runner = web.AppRunner(app, handler_cancellation=True, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, app[SETTINGS].server.host if host is None else host, 0)
    await site.start()
    note_bound(app, runner.addresses)  # as `ctxproxy serve` does: loopback decided from the sockets
    sockets = sorted(site._server.sockets, key=lambda sock: sock.family != socket.AF_INET)  # type: ignore[union-attr]
    port = sockets[0].getsockname()[1]  # an IPv4 socket when there is one ("" binds both, two ports)
    host = "127.0.0.1" if sockets[0].family == socket.AF_INET else "[::1]"
    for _ in range(600):
        if not wait_ready or app[LIFECYCLE].ready:
            break
        await asyncio.sleep(0.05)
    return Running(f"http://{host}:{port}", app, runner)


def proxy_settings(fake_url: str, tmp_path: Any, **extra: Any) -> Settings:
    overrides: dict[str, Any] = {
        "upstreams": {
            "openai": {"base_url": f"{fake_url}/v1", "api": "openai", "api_key_env": "FAKE_OPENAI_KEY"},
            "anthropic": {"base_url": fake_url, "api": "anthropic", "api_key_env": "FAKE_ANTHROPIC_KEY"},
            "down": {"base_url": "http://127.0.0.1:9/v1", "api": "openai", "api_key_env": None},
        },
        "catalog": {"cache_dir": str(tmp_path / "cache"), "refresh_on_start": False, "sources": ["litellm"]},
    }
    for key, value in extra.items():
        overrides[key] = value if key not in overrides else {**overrides[key], **value}
    return load_settings(environ={}, overrides=overrides)


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[TestServer]:
    server = TestServer(transport.make_app(), host="127.0.0.1")
    await server.start_server()
    yield server
    await server.close()


@pytest.fixture
def fake_url(fake: TestServer) -> str:
    return str(fake.make_url("")).rstrip("/")


@pytest.fixture
def fake_state(fake: TestServer) -> transport.FakeState:
    return fake.app[transport.STATE]


@pytest.fixture
async def server() -> AsyncIterator[FakeCatalogServer]:
    srv = await FakeCatalogServer(slow_s=3).start()
    yield srv
    await srv.close()


@pytest_asyncio.fixture
async def make_proxy(tmp_path: Any) -> AsyncIterator[Callable[..., Any]]:
    running: list[Running] = []

    async def _make(settings: Settings) -> Running:
        r = await start_app(create_app(settings))
        running.append(r)
        return r

    yield _make
    for r in running:
        await r.runner.cleanup()


@pytest_asyncio.fixture
async def proxy(make_proxy: Callable[..., Any], fake_url: str, tmp_path: Any) -> Running:
    return await make_proxy(proxy_settings(fake_url, tmp_path))  # type: ignore[no-any-return]


class SdkClients:
    """Real openai/anthropic SDK clients that the test's teardown closes: an unclosed client keeps
    its pooled sockets open until GC (an "unclosed" ResourceWarning, an error under our pytest)."""

    def __init__(self) -> None:
        self._open: list[openai.AsyncOpenAI | anthropic.AsyncAnthropic] = []

    def openai(self, base_url: str, api_key: str = "k", **kw: Any) -> openai.AsyncOpenAI:
        client = openai.AsyncOpenAI(base_url=base_url, api_key=api_key, max_retries=0, **kw)
        self._open.append(client)
        return client

    def anthropic(self, base_url: str, api_key: str = "k", **kw: Any) -> anthropic.AsyncAnthropic:
        client = anthropic.AsyncAnthropic(base_url=base_url, api_key=api_key, max_retries=0, **kw)
        self._open.append(client)
        return client

    async def close(self) -> None:
        while self._open:
            await self._open.pop().close()


@pytest_asyncio.fixture
async def sdk() -> AsyncIterator[SdkClients]:
    clients = SdkClients()
    yield clients
    await clients.close()


@pytest.fixture
def captured_logs() -> Any:
    buf = _TextView()
    configure_logging("debug", "json", stream=buf)
    yield buf
    configure_logging("info", "json", stream=sys.__stderr__.buffer)  # not a capture file that closes


class _TextView(io.BytesIO):
    """A byte log sink the tests read as text."""

    def getvalue(self) -> str:  # type: ignore[override]
        return super().getvalue().decode()


@pytest.fixture
def massgen_bodies() -> list[bytes]:
    """Chat Completions bodies MassGen really sent (tests/data/massgen-requests)."""
    from pathlib import Path

    import orjson

    ref = Path(__file__).resolve().parents[1] / "data" / "massgen-requests"
    out = []
    for path in sorted(ref.glob("chatcompletions_*.json")):
        out.append(orjson.dumps(orjson.loads(path.read_bytes())["body"]))
    assert out, f"no MassGen bodies found under {ref}"
    return out
