"""Upstream faults, before the response headers and mid-stream: a clean error, never a crash.

Before headers the caller gets an API-shaped 502/504 (nothing was sent yet). Mid-stream the
headers are out, so the only honest signal is a truncated response: the proxy closes the
client connection and logs ``upstream.stream_broken``. A 10 MB SSE event passes intact. After
every fault ``/livez`` answers and the logs are JSON lines without a traceback.
(Client disconnect mid-stream: tests/integration/test_forwarding_edges.py.)
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import orjson
import pytest
import pytest_asyncio

from proxy.appkeys import METRICS
from tests.fakes.faulty import BIG_EVENT, FaultyUpstream
from tests.robustness.conftest import log_lines

BODY = orjson.dumps({"model": "gpt-4o-mini", "stream": True, "messages": [{"role": "user", "content": "hi"}]})
HEADERS = {"Authorization": "Bearer k", "Content-Type": "application/json"}


@pytest_asyncio.fixture
async def faulty() -> AsyncIterator[FaultyUpstream]:
    async with FaultyUpstream() as fake:
        yield fake


@pytest_asyncio.fixture
async def proxy(make_proxy: Any, faulty: FaultyUpstream, tmp_path: Any) -> Any:
    from proxy.config import load_settings

    settings = load_settings(
        environ={},
        overrides={
            "upstreams": {
                "faulty": {"base_url": f"{faulty.url}/v1", "api": "openai"},
                "claude": {"base_url": f"{faulty.url}/v1", "api": "anthropic"},
                "down": {"base_url": "http://127.0.0.1:9/v1", "api": "openai"},
            },
            "server": {"read_timeout_s": 0.5, "connect_timeout_s": 2},
            "catalog": {"cache_dir": str(tmp_path / "c"), "refresh_on_start": False, "sources": ["litellm"]},
        },
    )
    return await make_proxy(settings)


async def _livez(url: str) -> None:
    async with aiohttp.ClientSession() as s, s.get(url + "/livez") as r:
        assert r.status == 200


def _clean(logs: Any) -> list[dict[str, Any]]:
    lines = log_lines(logs)
    assert "Traceback" not in logs.getvalue()
    assert not [ln for ln in lines if ln["event"] in ("request.crashed", "compression.failed")]
    return lines


@pytest.mark.parametrize(
    ("fault", "status", "code"),
    [
        ("reset-before", 502, "upstream_error"),
        ("close-before", 502, "upstream_error"),
        ("garbage-before", 502, "upstream_error"),
        ("stall-before", 504, "upstream_timeout"),
    ],
)
async def test_fault_before_headers_gives_api_shaped_error(
    fault: str, status: int, code: str, proxy: Any, logs: Any
) -> None:
    async with aiohttp.ClientSession() as s:
        async with s.post(f"{proxy.url}/faulty/{fault}/chat/completions", data=BODY, headers=HEADERS) as r:
            assert r.status == status
            assert r.headers["x-ctxproxy-error"] == code
            assert (await r.json())["error"]["type"] == "api_error"
        async with s.post(f"{proxy.url}/claude/{fault}/messages", data=BODY, headers=HEADERS) as r:
            assert r.status == status
            assert (await r.json())["type"] == "error"  # Anthropic's shape for an Anthropic route
    await _livez(proxy.url)
    _clean(logs)


async def test_upstream_down_gives_502(proxy: Any, logs: Any) -> None:
    async with aiohttp.ClientSession() as s:
        async with s.post(f"{proxy.url}/down/chat/completions", data=BODY, headers=HEADERS) as r:
            assert r.status == 502 and r.headers["x-ctxproxy-error"] == "upstream_unreachable"
    await _livez(proxy.url)
    _clean(logs)


@pytest.mark.parametrize("fault", ["reset-mid", "garbage-mid", "stall-mid"])
async def test_fault_mid_stream_truncates_and_logs(fault: str, proxy: Any, logs: Any) -> None:
    received = b""
    async with aiohttp.ClientSession() as s:
        async with s.post(f"{proxy.url}/faulty/{fault}/chat/completions", data=BODY, headers=HEADERS) as r:
            assert r.status == 200 and r.headers["Content-Type"].startswith("text/event-stream")
            with pytest.raises(aiohttp.ClientPayloadError):  # the stream ends without its final chunk
                async for chunk in r.content.iter_any():
                    received += chunk
    assert received.count(b"data: ") == 2 and b"[DONE]" not in received
    await _livez(proxy.url)
    broken = [ln for ln in _clean(logs) if ln["event"] == "upstream.stream_broken"]
    assert len(broken) == 1 and broken[0]["upstream"] == "faulty"
    errors = proxy.app[METRICS].errors.labels(kind="stream_broken")._value.get()
    assert errors == 1


async def test_ten_megabyte_sse_event_passes_intact(proxy: Any, logs: Any) -> None:
    digest = hashlib.sha256()
    size = 0
    async with aiohttp.ClientSession(read_bufsize=2**20) as s:
        async with s.post(f"{proxy.url}/faulty/big-event/chat/completions", data=BODY, headers=HEADERS) as r:
            assert r.status == 200
            async for chunk in r.content.iter_any():
                digest.update(chunk)
                size += len(chunk)
    expected = BIG_EVENT + b"data: [DONE]\n\n"
    assert size == len(expected) and digest.hexdigest() == hashlib.sha256(expected).hexdigest()
    await _livez(proxy.url)
    _clean(logs)
