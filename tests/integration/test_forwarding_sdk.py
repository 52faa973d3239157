"""The real openai and anthropic SDKs through the proxy to a fake upstream."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anthropic
import openai
import orjson
import pytest

from tests.fakes.transport import FakeState
from tests.integration.conftest import Running, SdkClients

TOOLS = [
    {
        "type": "function",
        "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {}}},
    }
]


@pytest.fixture(autouse=True)
def _keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_OPENAI_KEY", "sk-real-openai")
    monkeypatch.setenv("FAKE_ANTHROPIC_KEY", "sk-ant-real")


OAI = Callable[..., openai.AsyncOpenAI]


@pytest.fixture
def oai(sdk: SdkClients) -> OAI:
    """``oai(proxy, prefix="/openai", key="dummy")``: an OpenAI client the test's teardown closes."""

    def make(proxy: Running, prefix: str = "/openai", key: str = "dummy") -> openai.AsyncOpenAI:
        return sdk.openai(proxy.url + prefix, api_key=key)

    return make


async def test_chat_non_streaming_injects_key(oai: OAI, proxy: Running, fake_state: FakeState) -> None:
    client = oai(proxy)
    with_raw = await client.chat.completions.with_raw_response.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}]
    )
    completion = with_raw.parse()
    assert completion.choices[0].message.content == "Hello from fake"
    assert completion.usage is not None and completion.usage.total_tokens == 15
    seen = fake_state.seen[-1]
    assert seen.path == "/v1/chat/completions"
    assert seen.headers["Authorization"] == "Bearer sk-real-openai"
    assert with_raw.headers["x-upstream-marker"] == "yes"
    assert with_raw.headers["x-ctxproxy-compressed"] == "0"
    # (its token headers: tests/integration/test_fast_path_estimate.py)
    assert with_raw.headers["x-ctxproxy-strategy"] == "balanced"
    assert int(with_raw.headers["x-ctxproxy-context-window"]) > 0
    assert float(with_raw.headers["x-ctxproxy-overhead-ms"]) >= 0
    assert len(with_raw.headers["x-request-id"]) >= 16


async def test_client_key_passes_through(oai: OAI, proxy: Running, fake_state: FakeState) -> None:
    await oai(proxy, key="sk-client-own").chat.completions.create(
        model="m", messages=[{"role": "user", "content": "hi"}]
    )
    assert fake_state.seen[-1].headers["Authorization"] == "Bearer sk-client-own"


async def test_chat_streaming_tool_call_deltas_and_usage(
    oai: OAI, proxy: Running, fake_state: FakeState
) -> None:
    stream = await oai(proxy).chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": "weather?"}],
        tools=TOOLS,  # type: ignore[arg-type]
        stream=True,
        stream_options={"include_usage": True},
    )
    args, name, usage = "", None, None
    async for chunk in stream:
        if chunk.usage:
            usage = chunk.usage
        for choice in chunk.choices:
            for tc in choice.delta.tool_calls or []:
                name = tc.function.name or name if tc.function else name
                args += (tc.function.arguments or "") if tc.function else ""
    assert name == "get_weather"
    assert orjson.loads(args) == {"x": 1}
    assert usage is not None and usage.prompt_tokens == 12


async def test_chat_streaming_text(oai: OAI, proxy: Running) -> None:
    stream = await oai(proxy).chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "hi"}], stream=True
    )
    text = "".join([c.choices[0].delta.content or "" async for c in stream if c.choices])
    assert text == "Hello from fake"


async def test_responses_streaming(oai: OAI, proxy: Running, fake_state: FakeState) -> None:
    stream = await oai(proxy).responses.create(model="gpt-5", input="hi", stream=True)
    deltas, completed = [], None
    async for event in stream:
        if event.type == "response.output_text.delta":
            deltas.append(event.delta)
        if event.type == "response.completed":
            completed = event.response
    assert "".join(deltas) == "Hello from fake"
    assert completed is not None and completed.usage is not None and completed.usage.input_tokens == 12
    assert fake_state.seen[-1].path == "/v1/responses"


async def test_anthropic_streaming_and_tools(sdk: SdkClients, proxy: Running, fake_state: FakeState) -> None:
    client = sdk.anthropic(proxy.url + "/anthropic", api_key="dummy")
    async with client.messages.stream(
        model="claude-sonnet-4-20250514", max_tokens=100, messages=[{"role": "user", "content": "hi"}]
    ) as stream:
        text = "".join([t async for t in stream.text_stream])
    assert text == "Hello from fake"
    seen = fake_state.seen[-1]
    assert seen.path == "/v1/messages"
    assert seen.headers["x-api-key"] == "sk-ant-real"
    assert "anthropic-version" in seen.headers
    msg = await client.messages.create(
        model="claude-sonnet-4-20250514",
        max_tokens=100,
        tools=[{"name": "lookup", "input_schema": {"type": "object"}}],
        messages=[{"role": "user", "content": "use the tool"}],
    )
    assert msg.stop_reason == "tool_use" and msg.content[0].type == "tool_use"


async def test_anthropic_client_key_passes(sdk: SdkClients, proxy: Running, fake_state: FakeState) -> None:
    client = sdk.anthropic(proxy.url + "/anthropic", api_key="sk-ant-client")
    await client.messages.create(model="c", max_tokens=5, messages=[{"role": "user", "content": "x"}])
    headers = fake_state.seen[-1].headers
    # Newer anthropic SDKs send the key as a bearer token; older ones as x-api-key.
    assert (
        headers.get("x-api-key") == "sk-ant-client" or headers.get("Authorization") == "Bearer sk-ant-client"
    )
    assert "sk-ant-real" not in headers.values()


async def test_upstream_error_passes_through_unchanged(oai: OAI, sdk: SdkClients, proxy: Running) -> None:
    with pytest.raises(openai.NotFoundError) as err:
        await oai(proxy).chat.completions.create(
            model="error-model", messages=[{"role": "user", "content": "x"}]
        )
    assert err.value.code == "model_not_found"
    assert "does not exist" in err.value.message
    client = sdk.anthropic(proxy.url + "/anthropic", api_key="k")
    with pytest.raises(anthropic.BadRequestError) as aerr:
        await client.messages.create(
            model="error-model", max_tokens=5, messages=[{"role": "user", "content": "x"}]
        )
    assert "prompt is too long" in str(aerr.value)


async def test_upstream_down_is_502_in_openai_shape(oai: OAI, proxy: Running) -> None:
    with pytest.raises(openai.APIStatusError) as err:
        await oai(proxy, "/down").chat.completions.create(
            model="m", messages=[{"role": "user", "content": "x"}]
        )
    assert err.value.status_code == 502
    body: Any = err.value.body
    assert body["code"] == "upstream_unreachable"
    assert err.value.response.headers["x-request-id"]


async def test_unknown_upstream_404(oai: OAI, proxy: Running) -> None:
    with pytest.raises(openai.NotFoundError) as err:
        await oai(proxy, "/nope").chat.completions.create(
            model="m", messages=[{"role": "user", "content": "x"}]
        )
    assert "unknown upstream 'nope'" in err.value.message


async def test_agent_path_and_bare_v1(
    oai: OAI, proxy: Running, fake_state: FakeState, captured_logs: Any
) -> None:
    await oai(proxy, "/agent/agent_a/openai").chat.completions.create(
        model="m", messages=[{"role": "user", "content": "x"}]
    )
    await oai(proxy, "/v1").chat.completions.create(model="m", messages=[{"role": "user", "content": "y"}])
    assert [s.path for s in fake_state.seen[-2:]] == ["/v1/chat/completions", "/v1/chat/completions"]
    events = [orjson.loads(line) for line in captured_logs.getvalue().splitlines()]
    done = [e for e in events if e["event"] == "request.completed"]
    assert done[-2]["agent"] == "agent_a"
    assert done[-1]["agent"].startswith("anon-")


async def test_massgen_bodies_forwarded_byte_for_byte(
    oai: OAI, proxy: Running, fake_state: FakeState, massgen_bodies: list[bytes]
) -> None:
    client = oai(proxy)
    for raw in massgen_bodies:
        resp = await client.post(
            "/chat/completions",
            body=orjson.loads(raw),
            cast_to=openai._legacy_response.HttpxBinaryResponseContent,
            options={"headers": {"Content-Type": "application/json"}},
        )
        assert resp.content
        assert orjson.loads(fake_state.seen[-1].body) == orjson.loads(raw)
