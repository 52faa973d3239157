"""One base URL: bare /v1 routed by the model's provider prefix, driven with the real openai SDK.

Three fake upstreams on loopback stand for the default (openai), groq and Anthropic's
OpenAI-compatible endpoint; each records what it received.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import openai
import orjson
import pytest
import pytest_asyncio
from aiohttp.test_utils import TestServer

from tests.fakes import transport
from tests.integration.conftest import Running, SdkClients, proxy_settings


@pytest.fixture(autouse=True)
def _keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_OPENAI_KEY", "sk-real-openai")
    monkeypatch.setenv("FAKE_GROQ_KEY", "gsk-real-groq")
    monkeypatch.setenv("FAKE_ANTHROPIC_KEY", "sk-ant-real")


@pytest_asyncio.fixture
async def fakes() -> AsyncIterator[dict[str, TestServer]]:
    servers = {name: TestServer(transport.make_app(), host="127.0.0.1") for name in ("groq", "anthropic")}
    for server in servers.values():
        await server.start_server()
    yield servers
    for server in servers.values():
        await server.close()


def _state(server: TestServer) -> transport.FakeState:
    return server.app[transport.STATE]


@pytest_asyncio.fixture
async def one_url(make_proxy: Any, fake_url: str, fakes: dict[str, TestServer], tmp_path: Any) -> Running:
    groq = str(fakes["groq"].make_url("")).rstrip("/")
    anth = str(fakes["anthropic"].make_url("")).rstrip("/")
    settings = proxy_settings(
        fake_url,
        tmp_path,
        upstreams={
            "groq": {"base_url": f"{groq}/v1", "api": "openai", "api_key_env": "FAKE_GROQ_KEY"},
            "anthropic-openai": {
                "base_url": f"{anth}/v1",
                "api": "openai",
                "api_key_env": "FAKE_ANTHROPIC_KEY",
                "provider": "anthropic",
            },
        },
    )
    return await make_proxy(settings)  # type: ignore[no-any-return]


Client = Callable[[Running], openai.AsyncOpenAI]


@pytest.fixture
def client(sdk: SdkClients) -> Client:
    """``client(proxy)``: an OpenAI client on the proxy's bare ``/v1``, closed at teardown."""
    return lambda proxy: sdk.openai(proxy.url + "/v1", api_key="dummy")


async def test_groq_prefix_goes_to_groq_without_prefix(
    client: Client, one_url: Running, fakes: dict[str, TestServer], fake_state: transport.FakeState
) -> None:
    raw = await client(one_url).chat.completions.with_raw_response.create(
        model="groq/llama-3.3-70b-versatile", messages=[{"role": "user", "content": "hi"}], temperature=0.25
    )
    assert raw.parse().choices[0].message.content == "Hello from fake"
    assert fake_state.seen == []  # not the default upstream
    seen = _state(fakes["groq"]).seen[-1]
    assert seen.path == "/v1/chat/completions"
    assert seen.headers["Authorization"] == "Bearer gsk-real-groq"  # groq's key, not openai's
    body = seen.json()
    assert body["model"] == "llama-3.3-70b-versatile"
    assert body["temperature"] == 0.25 and body["messages"] == [{"role": "user", "content": "hi"}]
    # the catalog resolves the window of the routed model (LiteLLM's bundled map: groq, 8k)
    raw = await client(one_url).chat.completions.with_raw_response.create(
        model="groq/llama-guard-3-8b", messages=[{"role": "user", "content": "hi"}]
    )
    assert raw.headers["x-ctxproxy-context-window"] == "8192"
    assert _state(fakes["groq"]).seen[-1].json()["model"] == "llama-guard-3-8b"


async def test_only_the_model_bytes_change(one_url: Running, fakes: dict[str, TestServer]) -> None:
    import aiohttp

    raw = (
        b'{ "messages" : [ {"role":"user","content":"keep   my \\u00e9 spacing"} ],\n'
        b'  "model" : "groq/llama-3.3-70b-versatile",  "metadata": {"model": "other"} }'
    )
    async with aiohttp.ClientSession() as session:
        async with session.post(
            one_url.url + "/v1/chat/completions", data=raw, headers={"Content-Type": "application/json"}
        ) as resp:
            assert resp.status == 200
    sent = _state(fakes["groq"]).seen[-1].body
    assert sent == raw.replace(b'"groq/llama-3.3-70b-versatile"', b'"llama-3.3-70b-versatile"')


async def test_anthropic_prefix_goes_to_anthropic_openai_endpoint(
    client: Client, one_url: Running, fakes: dict[str, TestServer]
) -> None:
    stream = await client(one_url).chat.completions.create(
        model="anthropic/claude-sonnet-4-5", messages=[{"role": "user", "content": "hi"}], stream=True
    )
    text = "".join([c.choices[0].delta.content or "" async for c in stream if c.choices])
    assert text == "Hello from fake"
    seen = _state(fakes["anthropic"]).seen[-1]
    assert seen.path == "/v1/chat/completions"
    assert seen.headers["Authorization"] == "Bearer sk-ant-real"
    assert seen.json()["model"] == "claude-sonnet-4-5"
    raw = await client(one_url).chat.completions.with_raw_response.create(
        model="anthropic/claude-sonnet-4-5", messages=[{"role": "user", "content": "hi"}]
    )
    assert raw.headers["x-ctxproxy-context-window"] == "200000"


async def test_unprefixed_and_unknown_prefix_go_to_default(
    client: Client, one_url: Running, fakes: dict[str, TestServer], fake_state: transport.FakeState
) -> None:
    c = client(one_url)
    await c.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
    assert fake_state.seen[-1].json()["model"] == "gpt-4o-mini"
    assert fake_state.seen[-1].headers["Authorization"] == "Bearer sk-real-openai"
    # an org/model id whose org is no upstream (OpenRouter, Hugging Face style) is left alone
    await c.chat.completions.create(
        model="meta-llama/llama-3.3-70b-instruct", messages=[{"role": "user", "content": "hi"}]
    )
    assert fake_state.seen[-1].json()["model"] == "meta-llama/llama-3.3-70b-instruct"
    assert _state(fakes["groq"]).seen == []


async def test_responses_by_prefix(client: Client, one_url: Running, fakes: dict[str, TestServer]) -> None:
    resp = await client(one_url).responses.create(model="groq/openai/gpt-oss-120b", input="hi")
    assert resp.output_text == "Hello from fake"
    seen = _state(fakes["groq"]).seen[-1]
    assert seen.path == "/v1/responses"
    assert seen.json()["model"] == "openai/gpt-oss-120b"  # only the first segment is the prefix


async def test_prefixed_path_routes_are_untouched(
    sdk: SdkClients, one_url: Running, fakes: dict[str, TestServer], fake_state: transport.FakeState
) -> None:
    """``/{upstream}/…`` already names the upstream: the model is forwarded as sent."""
    c = sdk.openai(one_url.url + "/openai", api_key="dummy")
    await c.chat.completions.create(model="groq/whatever", messages=[{"role": "user", "content": "hi"}])
    assert fake_state.seen[-1].json()["model"] == "groq/whatever"
    assert _state(fakes["groq"]).seen == []


async def test_agent_prefixed_bare_v1_routes_by_model(
    sdk: SdkClients, one_url: Running, fakes: dict[str, TestServer]
) -> None:
    c = sdk.openai(one_url.url + "/agent/a1/v1", api_key="dummy")
    await c.chat.completions.create(
        model="groq/llama-3.1-8b-instant", messages=[{"role": "user", "content": "hi"}]
    )
    assert orjson.loads(_state(fakes["groq"]).seen[-1].body)["model"] == "llama-3.1-8b-instant"


async def test_prefix_routing_off_sends_everything_to_default(
    client: Client,
    make_proxy: Any,
    fake_url: str,
    fakes: dict[str, TestServer],
    fake_state: transport.FakeState,
    tmp_path: Any,
) -> None:
    """``model_prefix_routing: false`` (OpenRouter as default: ``openai/gpt-4o`` is its own id)."""
    groq = str(fakes["groq"].make_url("")).rstrip("/")
    settings = proxy_settings(
        fake_url,
        tmp_path,
        upstreams={"groq": {"base_url": f"{groq}/v1", "api": "openai", "api_key_env": "FAKE_GROQ_KEY"}},
        model_prefix_routing=False,
    )
    proxy = await make_proxy(settings)
    await client(proxy).chat.completions.create(
        model="groq/llama-3.3-70b-versatile", messages=[{"role": "user", "content": "hi"}]
    )
    assert fake_state.seen[-1].json()["model"] == "groq/llama-3.3-70b-versatile"
    assert _state(fakes["groq"]).seen == []
