"""The robustness suite: the real app on loopback, in front of lenient, faulty or recording fakes.

Logs are captured at debug level as JSON lines (structlog and the library loggers routed
through it) so every test can check them for tracebacks, keys and prompt text.
"""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
import pytest_asyncio
from aiohttp.test_utils import TestServer

from proxy.app import create_app
from proxy.config import Settings, load_settings
from proxy.observability.logging import configure_logging
from tests.fakes import lenient, transport
from tests.integration.conftest import Running, _TextView, start_app

KEYS = {
    "FAKE_OPENAI_KEY": "sk-CANARY-OPENAI-0001",
    "FAKE_ANTHROPIC_KEY": "sk-ant-CANARY-0002",
    "FAKE_GEMINI_KEY": "AIza-CANARY-0003",
}


def settings_for(fake_url: str, tmp_path: Any, **extra: Any) -> Settings:
    """Three upstreams (OpenAI, Anthropic, Gemini) on one fake, a small-window model that compresses."""
    overrides: dict[str, Any] = {
        "upstreams": {
            "openai": {"base_url": f"{fake_url}/v1", "api": "openai", "api_key_env": "FAKE_OPENAI_KEY"},
            "anthropic": {"base_url": fake_url, "api": "anthropic", "api_key_env": "FAKE_ANTHROPIC_KEY"},
            "google": {"base_url": fake_url, "api": "gemini", "api_key_env": "FAKE_GEMINI_KEY"},
        },
        "catalog": {
            "cache_dir": str(tmp_path / "cache"),
            "refresh_on_start": False,
            "sources": ["litellm"],
            "overrides": {
                name: {"context_window": 2048, "max_output_tokens": 128}
                for name in ("tiny-window", "overflow-context", "overflow-max-tokens")
            },
        },
    }
    for key, value in extra.items():
        overrides[key] = value if key not in overrides else {**overrides[key], **value}
    return load_settings(environ={}, overrides=overrides)


@pytest.fixture
def keys(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    for name, value in KEYS.items():
        monkeypatch.setenv(name, value)
    return KEYS


@pytest.fixture
def logs() -> Iterator[_TextView]:
    buf = _TextView()
    configure_logging("debug", "json", stream=buf)
    yield buf
    configure_logging("info", "json", stream=sys.__stderr__.buffer)  # not a capture file that closes


def log_lines(buf: _TextView) -> list[dict[str, Any]]:
    """Every captured line, parsed: a line that is not one JSON object fails the test."""
    out = []
    for line in buf.getvalue().splitlines():
        assert line.startswith("{"), f"not a JSON log line: {line[:200]!r}"
        out.append(json.loads(line))
    return out


@pytest_asyncio.fixture
async def lenient_fake() -> AsyncIterator[TestServer]:
    server = TestServer(lenient.make_app(), host="127.0.0.1")
    await server.start_server()
    yield server
    await server.close()


@pytest.fixture
def lenient_url(lenient_fake: TestServer) -> str:
    return str(lenient_fake.make_url("")).rstrip("/")


@pytest_asyncio.fixture
async def recording() -> AsyncIterator[TestServer]:
    server = TestServer(transport.make_app(), host="127.0.0.1")
    await server.start_server()
    yield server
    await server.close()


@pytest_asyncio.fixture
async def make_proxy() -> AsyncIterator[Callable[..., Any]]:
    running: list[Running] = []

    async def _make(settings: Settings, host: str | None = None) -> Running:
        r = await start_app(create_app(settings), host=host)
        running.append(r)
        return r

    yield _make
    for r in running:
        await r.runner.cleanup()
