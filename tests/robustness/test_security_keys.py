"""Keys on loopback: an empty or placeholder key gets the configured one, a real client key is
never replaced, and an unknown upstream asks for the proxy key before it lists any name.

Each test drives the real app on loopback in front of the recording fake upstream
(tests/fakes/transport.py), which shows exactly what reached the upstream.
"""

from __future__ import annotations

from typing import Any

import aiohttp
import orjson
import pytest
from aiohttp.test_utils import TestServer
from yarl import URL

from tests.integration.conftest import proxy_settings
from tests.robustness.securitykit import CHAT, _seen, _url


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer "},
        {"Authorization": "Bearer"},
        {"Authorization": ""},
        {"Authorization": "Bearer dummy"},
        {"Authorization": "bearer   EMPTY  "},
        {"Authorization": "Bearer sk-dummy", "api-key": ""},
    ],
)
async def test_empty_or_placeholder_key_gets_the_configured_one_on_loopback(
    headers: dict[str, str],
    make_proxy: Any,
    recording: TestServer,
    tmp_path: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FAKE_OPENAI_KEY", "sk-OPERATOR-KEY")
    proxy = await make_proxy(proxy_settings(_url(recording), tmp_path))
    async with aiohttp.ClientSession() as s:
        async with s.post(f"{proxy.url}/openai/chat/completions", data=CHAT, headers=headers) as r:
            assert r.status == 200
    seen = _seen(recording).seen[-1].headers
    assert seen.getall("Authorization") == ["Bearer sk-OPERATOR-KEY"] and "api-key" not in seen


async def test_anthropic_empty_x_api_key_is_no_key(
    make_proxy: Any, recording: TestServer, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_ANTHROPIC_KEY", "sk-ant-OPERATOR")
    proxy = await make_proxy(proxy_settings(_url(recording), tmp_path))
    body = orjson.dumps(
        {"model": "claude-x", "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]}
    )
    async with aiohttp.ClientSession() as s:
        async with s.post(f"{proxy.url}/anthropic/v1/messages", data=body, headers={"x-api-key": ""}) as r:
            assert r.status == 200
    assert _seen(recording).seen[-1].headers.getall("x-api-key") == ["sk-ant-OPERATOR"]


async def test_a_real_client_key_is_never_replaced(
    make_proxy: Any, recording: TestServer, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_OPENAI_KEY", "sk-OPERATOR-KEY")
    proxy = await make_proxy(proxy_settings(_url(recording), tmp_path))
    async with aiohttp.ClientSession() as s:
        async with s.post(
            f"{proxy.url}/openai/chat/completions",
            data=CHAT,
            headers={"Authorization": "Bearer sk-client-own"},
        ) as r:
            assert r.status == 200
    assert _seen(recording).seen[-1].headers.getall("Authorization") == ["Bearer sk-client-own"]


async def test_unknown_upstream_needs_the_proxy_key_before_listing_names(
    make_proxy: Any, recording: TestServer, tmp_path: Any
) -> None:
    proxy = await make_proxy(proxy_settings(_url(recording), tmp_path, server={"proxy_keys": ["pk-1"]}))
    async with aiohttp.ClientSession() as s:
        for path in ("/nope/chat/completions", "/openai/../../x", "/agent/a/nope/x"):
            async with s.post(URL(proxy.url + path, encoded=True), data=CHAT) as r:
                text = await r.text()
                assert r.status == 401 and "invalid_proxy_key" in text
                assert "anthropic" not in text and "openai" not in text
        async with s.post(
            f"{proxy.url}/nope/chat/completions", data=CHAT, headers={"x-ctxproxy-key": "pk-1"}
        ) as r:
            assert r.status == 404 and "anthropic" in await r.text()
