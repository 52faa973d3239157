"""Transport edge cases: big bodies, disconnects, bad input, timeouts, keys, logs, admin."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import orjson
import pytest

from tests.fakes.transport import FakeState
from tests.integration.conftest import Running, proxy_settings


async def test_large_bodies_forwarded_intact(
    make_proxy: Any, fake_url: str, fake_state: FakeState, tmp_path: Any
) -> None:
    proxy = await make_proxy(proxy_settings(fake_url, tmp_path, compression={"enabled": False}))
    blob = bytes(range(256)) * (11 * 4096)  # ~11.5 MB of binary, non-chat route
    chat = orjson.dumps({"model": "m", "messages": [{"role": "user", "content": "x" * (10 * 1024 * 1024)}]})
    async with aiohttp.ClientSession() as s:
        async with s.post(f"{proxy.url}/openai/echo/upload?purpose=x", data=blob) as r:
            assert r.status == 200
            assert await r.read() == blob
        assert fake_state.seen[-1].query == "purpose=x"
        async with s.post(
            f"{proxy.url}/openai/chat/completions",
            data=chat,
            headers={"Authorization": "Bearer k", "Content-Type": "application/json"},
        ) as r:
            assert r.status == 200
        assert fake_state.seen[-1].body == chat


async def test_headers_hop_by_hop_dropped_host_rewritten(proxy: Running, fake_state: FakeState) -> None:
    async with aiohttp.ClientSession() as s:
        async with s.get(
            f"{proxy.url}/openai/echo/x?a=1&b=%26c",
            headers={
                "Connection": "keep-alive, X-Drop-Me",
                "X-Drop-Me": "1",
                "Keep-Alive": "5",
                "x-ctxproxy-agent": "bob",
                "X-Custom": "kept",
                "x-request-id": "my-req-1",
            },
        ) as r:
            assert r.status == 200
            assert r.headers["x-request-id"] == "my-req-1"
    seen = fake_state.seen[-1]
    assert seen.query == "a=1&b=%26c"
    assert seen.headers["X-Custom"] == "kept"
    assert "X-Drop-Me" not in seen.headers and "Keep-Alive" not in seen.headers
    assert "x-ctxproxy-agent" not in seen.headers
    assert (
        seen.headers["Host"].startswith("127.0.0.1:") and proxy.url.split(":")[-1] not in seen.headers["Host"]
    )


async def test_client_disconnect_closes_upstream_stream(proxy: Running, fake_state: FakeState) -> None:
    body = orjson.dumps({"model": "m", "stream": True, "messages": [{"role": "user", "content": "go"}]})
    async with aiohttp.ClientSession() as s:
        resp = await s.post(
            f"{proxy.url}/openai/slow/chat/completions", data=body, headers={"Authorization": "Bearer k"}
        )
        assert resp.status == 200
        first = await resp.content.readline()
        assert first.startswith(b"data: ")
        resp.close()  # the client goes away mid-stream
    await asyncio.wait_for(fake_state.stream_closed.wait(), timeout=5)
    sent = fake_state.stream_chunks_sent
    await asyncio.sleep(0.3)
    assert fake_state.stream_chunks_sent == sent < 100
    async with aiohttp.ClientSession() as s:  # and the proxy keeps serving
        async with s.get(f"{proxy.url}/livez") as r:
            assert r.status == 200


@pytest.mark.parametrize(
    ("path", "shape"),
    [("/openai/chat/completions", "openai"), ("/anthropic/v1/messages", "anthropic")],
)
async def test_malformed_json_gets_400_in_callers_shape(proxy: Running, path: str, shape: str) -> None:
    async with aiohttp.ClientSession() as s:
        async with s.post(
            proxy.url + path, data=b'{"model": "m", "messages": [', headers={"x-api-key": "k"}
        ) as r:
            assert r.status == 400
            body = await r.json()
            assert r.headers["x-request-id"]
    if shape == "openai":
        assert body["error"]["code"] == "invalid_json" and body["error"]["type"] == "invalid_request_error"
    else:
        assert body["type"] == "error" and body["error"]["type"] == "invalid_request_error"
    assert "Traceback" not in orjson.dumps(body).decode()


async def test_oversize_body_413(make_proxy: Any, fake_url: str, tmp_path: Any) -> None:
    p = await make_proxy(proxy_settings(fake_url, tmp_path, server={"max_body_mb": 0.01}))
    async with aiohttp.ClientSession() as s:
        async with s.post(f"{p.url}/openai/chat/completions", data=b"x" * 20000) as r:
            assert r.status == 413
            assert (await r.json())["error"]["code"] == "body_too_large"
        async with s.post(f"{p.url}/anthropic/v1/messages", data=b"x" * 20000) as r:
            assert r.status == 413
            assert (await r.json())["error"]["type"] == "request_too_large"
        async with s.get(f"{p.url}/livez") as r:
            assert r.status == 200


async def test_upstream_idle_timeout_504(make_proxy: Any, fake_url: str, tmp_path: Any) -> None:
    p = await make_proxy(proxy_settings(fake_url, tmp_path, server={"read_timeout_s": 0.3}))
    async with aiohttp.ClientSession() as s:
        async with s.get(f"{p.url}/openai/sleepy?s=3") as r:
            assert r.status == 504
            assert (await r.json())["error"]["code"] == "upstream_timeout"


async def test_non_loopback_bind_needs_proxy_keys_to_inject(
    make_proxy: Any, fake_url: str, fake_state: FakeState, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_OPENAI_KEY", "sk-real")
    body = orjson.dumps({"model": "m", "messages": [{"role": "user", "content": "x"}]})
    open_bind = await make_proxy(proxy_settings(fake_url, tmp_path, server={"host": "0.0.0.0"}))
    async with aiohttp.ClientSession() as s:
        async with s.post(f"{open_bind.url}/openai/chat/completions", data=body) as r:
            assert r.status == 401  # nothing injected: the fake rejects the missing key
        assert "Authorization" not in fake_state.seen[-1].headers
    keyed = await make_proxy(
        proxy_settings(fake_url, tmp_path, server={"host": "0.0.0.0", "proxy_keys": ["pk-1"]})
    )
    async with aiohttp.ClientSession() as s:
        async with s.post(f"{keyed.url}/openai/chat/completions", data=body) as r:
            assert r.status == 401
            assert (await r.json())["error"]["code"] == "invalid_proxy_key"
        async with s.post(
            f"{keyed.url}/openai/chat/completions", data=body, headers={"x-ctxproxy-key": "pk-1"}
        ) as r:
            assert r.status == 200
        assert fake_state.seen[-1].headers["Authorization"] == "Bearer sk-real"
        assert "x-ctxproxy-key" not in fake_state.seen[-1].headers


async def test_path_cannot_escape_upstream_host(proxy: Running, fake_state: FakeState) -> None:
    before = len(fake_state.seen)
    async with aiohttp.ClientSession() as s:
        for evil in ("/openai/@evil.example/x", "/openai//evil.example/x", "/openai/%2F%2Fevil.example"):
            async with s.get(proxy.url + evil) as r:
                assert r.status in (200, 400, 404, 405)
    for seen in fake_state.seen[before:]:
        assert seen.headers["Host"].startswith("127.0.0.1")


async def test_logs_never_contain_prompts_or_keys(
    proxy: Running, captured_logs: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_OPENAI_KEY", "sk-SECRET-INJECTED")
    secret_prompt = "TOP-SECRET-PROMPT-TEXT"
    body = orjson.dumps(
        {"model": "m", "user": "u1", "messages": [{"role": "user", "content": secret_prompt}]}
    )
    async with aiohttp.ClientSession() as s:
        for headers in ({"Authorization": "Bearer sk-SECRET-CLIENT"}, {}):
            async with s.post(f"{proxy.url}/openai/chat/completions", data=body, headers=headers) as r:
                assert r.status == 200
        async with s.post(f"{proxy.url}/openai/chat/completions", data=b"{" + secret_prompt.encode()) as r:
            assert r.status == 400
    text = captured_logs.getvalue()
    assert "request.completed" in text
    for secret in (secret_prompt, "sk-SECRET-CLIENT", "sk-SECRET-INJECTED"):
        assert secret not in text


async def test_admin_endpoints(proxy: Running) -> None:
    async with aiohttp.ClientSession() as s:
        async with s.get(f"{proxy.url}/livez") as r:
            assert r.status == 200
        async with s.get(f"{proxy.url}/readyz") as r:
            assert r.status == 200 and (await r.json())["status"] == "ready"
        async with s.post(
            f"{proxy.url}/openai/chat/completions", data=b"{}", headers={"Authorization": "Bearer k"}
        ):
            pass
        async with s.get(f"{proxy.url}/metrics") as r:
            text = await r.text()
    assert 'ctxproxy_requests_total{route="openai-chat",status="200",upstream="openai"}' in text or (
        "ctxproxy_requests_total" in text and 'upstream="openai"' in text
    )
    for name in (
        "ctxproxy_upstream_latency_seconds",
        "ctxproxy_time_to_first_byte_seconds",
        "ctxproxy_in_flight_streams",
        "ctxproxy_bytes_in_total",
        "ctxproxy_bytes_out_total",
    ):
        assert name in text


async def test_drain_makes_readyz_503_and_waits_for_streams(proxy: Running, fake_state: FakeState) -> None:
    from proxy.appkeys import LIFECYCLE

    life = proxy.app[LIFECYCLE]
    body = orjson.dumps({"model": "m", "stream": True, "messages": [{"role": "user", "content": "go"}]})
    async with aiohttp.ClientSession() as s:
        resp = await s.post(
            f"{proxy.url}/openai/slow/chat/completions", data=body, headers={"Authorization": "Bearer k"}
        )
        await resp.content.readline()
        assert life.in_flight == 1
        drained = asyncio.create_task(life.drain(0.5))
        await asyncio.sleep(0.05)
        async with s.get(f"{proxy.url}/readyz") as r:
            assert r.status == 503 and (await r.json())["status"] == "draining"
        assert await drained is False  # the endless stream outlived the grace period
        resp.close()


async def test_upstream_headers_added_and_stats_need_proxy_key(
    make_proxy: Any, fake_url: str, fake_state: FakeState, tmp_path: Any
) -> None:
    settings = proxy_settings(fake_url, tmp_path, server={"proxy_keys": ["pk-1"]})
    up = settings.upstreams["openai"]
    settings = settings.replace(
        upstreams={
            **settings.upstreams,
            "openai": type(up)(
                base_url=up.base_url,
                api=up.api,
                api_key_env=up.api_key_env,
                headers={"OpenAI-Organization": "org-1"},
            ),
        }
    )
    p = await make_proxy(settings)
    async with aiohttp.ClientSession(headers={"x-ctxproxy-key": "pk-1"}) as s:
        async with s.get(f"{p.url}/openai/echo/x") as r:
            assert r.status == 200
        assert fake_state.seen[-1].headers["OpenAI-Organization"] == "org-1"
        async with s.get(f"{p.url}/openai/echo/x", headers={"OpenAI-Organization": "mine"}) as r:
            assert r.status == 200
        assert fake_state.seen[-1].headers["OpenAI-Organization"] == "mine"  # the client's own wins
        async with s.get(f"{p.url}/stats") as r:
            assert r.status == 200
    async with aiohttp.ClientSession() as s, s.get(f"{p.url}/stats") as r:
        assert r.status == 401


async def test_gemini_placeholder_query_key_replaced(
    make_proxy: Any, fake_url: str, fake_state: FakeState, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_GEMINI_KEY", "real-gemini-key")
    settings = proxy_settings(fake_url, tmp_path)
    up = settings.upstreams["openai"]
    gem = type(up)(base_url=f"{fake_url}/v1", api="gemini", api_key_env="FAKE_GEMINI_KEY")
    p = await make_proxy(settings.replace(upstreams={**settings.upstreams, "google": gem}))
    async with aiohttp.ClientSession() as s:
        async with s.get(f"{p.url}/google/echo/models?key=dummy&pageSize=5") as r:
            assert r.status == 200
    seen = fake_state.seen[-1]
    assert seen.headers["x-goog-api-key"] == "real-gemini-key"
    assert seen.query == "pageSize=5"
    async with aiohttp.ClientSession() as s:
        async with s.get(f"{p.url}/google/echo/models?key=client-own") as r:
            assert r.status == 200
    assert (
        fake_state.seen[-1].query == "key=client-own" and "x-goog-api-key" not in fake_state.seen[-1].headers
    )
