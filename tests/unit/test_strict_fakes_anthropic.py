"""The strict Anthropic Messages fake, driven by the real ``anthropic`` SDK: JSON and streamed
replies, tool use with signed thinking blocks, the requests Anthropic refuses, its overflow
kinds and 413, and the required version header.
"""

from __future__ import annotations

from typing import Any

import aiohttp
import anthropic
import pytest

from proxy.server.overflow import Overflow, detect_overflow
from tests.fakes.strict import AnthropicFake, always, tool_loop
from tests.fakes.strict_anthropic import sign
from tests.unit.strictkit import (
    BIG,
    _anthropic,
    _body,
    _close_clients,  # noqa: F401 (autouse: closes the test's SDK clients)
)


async def test_anthropic_stream_and_json() -> None:
    async with AnthropicFake(script=always("bonjour")) as fake:
        client = _anthropic(fake)
        message = await client.messages.create(
            model="claude", max_tokens=100, messages=[{"role": "user", "content": "hi"}]
        )
        async with client.messages.stream(
            model="claude", max_tokens=100, messages=[{"role": "user", "content": "hi"}]
        ) as stream:
            text = "".join([t async for t in stream.text_stream])
            final = await stream.get_final_message()
    assert message.content[0].type == "text" and message.content[0].text == "bonjour"
    assert (
        text == "bonjour"
        and final.usage.input_tokens == fake.requests[1].input_tokens
        and final.stop_reason == "end_turn"
    )
    assert fake.requests[0].headers["anthropic-version"]


async def test_anthropic_streamed_tool_use_and_thinking_round_trip() -> None:
    script = tool_loop(1, "lookup", {"q": "x"}, final="done")
    async with AnthropicFake(script=script) as fake:
        client = _anthropic(fake)
        tools: Any = [{"name": "lookup", "input_schema": {"type": "object"}}]
        thinking: Any = {"type": "enabled", "budget_tokens": 1024}
        messages: list[Any] = [{"role": "user", "content": "find x"}]
        async with client.messages.stream(
            model="c", max_tokens=2000, messages=messages, tools=tools, thinking=thinking
        ) as stream:
            first = await stream.get_final_message()
        assert [b.type for b in first.content] == ["thinking", "tool_use"] and first.stop_reason == "tool_use"
        tool_use = first.content[1]
        assert tool_use.type == "tool_use" and tool_use.input == {"q": "x"}
        messages += [
            {"role": "assistant", "content": [b.model_dump() for b in first.content]},
            {
                "role": "user",
                "content": [{"type": "tool_result", "tool_use_id": tool_use.id, "content": "42"}],
            },
        ]
        second = await client.messages.create(
            model="c", max_tokens=2000, messages=messages, tools=tools, thinking=thinking
        )
        assert second.content[-1].type == "text" and second.content[-1].text == "done"
        tampered = [
            messages[0],
            {
                "role": "assistant",
                "content": [{**messages[1]["content"][0], "thinking": "edited"}, messages[1]["content"][1]],
            },
            messages[2],
        ]
        with pytest.raises(anthropic.BadRequestError, match="Invalid `signature` in `thinking` block"):
            await client.messages.create(
                model="c", max_tokens=2000, messages=tampered, tools=tools, thinking=thinking
            )
    assert len(fake.invalid) == 1


def _use(i: str) -> dict[str, Any]:
    return {"type": "tool_use", "id": i, "name": "f", "input": {}}


def _result(i: str) -> dict[str, Any]:
    return {"type": "tool_result", "tool_use_id": i, "content": "r"}


def _cached(text: str) -> dict[str, Any]:
    return {"type": "text", "text": text, "cache_control": {"type": "ephemeral"}}


@pytest.mark.parametrize(
    ("messages", "text"),
    [
        (
            [{"role": "assistant", "content": "hi"}, {"role": "user", "content": "x"}],
            'first message must use the "user" role',
        ),
        (
            [
                {"role": "user", "content": "a"},
                {"role": "assistant", "content": [_use("toolu_1")]},
                {"role": "user", "content": "no result"},
            ],
            "`tool_use` ids were found without `tool_result` blocks immediately after: toolu_1",
        ),
        (
            [
                {"role": "user", "content": "a"},
                {"role": "assistant", "content": [_use("toolu_1")]},
                {"role": "user", "content": [{"type": "text", "text": "first"}, _result("toolu_1")]},
            ],
            "`tool_use` ids were found without `tool_result` blocks immediately after",
        ),
        (
            [
                {"role": "user", "content": "a"},
                {"role": "assistant", "content": "b"},
                {"role": "user", "content": [_result("toolu_9")]},
            ],
            "unexpected `tool_use_id` found in `tool_result` blocks: toolu_9",
        ),
        (
            [{"role": "user", "content": "a"}, {"role": "assistant", "content": "prefill "}],
            "final assistant content cannot end with trailing whitespace",
        ),
        ([{"role": "user", "content": "a"}, {"role": "user", "content": "b"}], "roles must alternate"),
        (
            [{"role": "user", "content": [_cached(str(i)) for i in range(5)]}],
            "A maximum of 4 blocks with cache_control may be provided. Found 5.",
        ),
    ],
    ids=[
        "first not user",
        "unanswered tool_use",
        "tool_result not first",
        "orphan tool_result",
        "trailing whitespace",
        "same role twice",
        "5 cache_control",
    ],
)
async def test_anthropic_rejects_what_anthropic_rejects(messages: Any, text: str) -> None:
    async with AnthropicFake() as fake:
        with pytest.raises(anthropic.BadRequestError) as caught:
            await _anthropic(fake).messages.create(model="c", max_tokens=10, messages=messages)
    assert text in str(caught.value)
    assert len(fake.invalid) == 1
    assert detect_overflow(400, _body(caught.value)) is None


async def test_anthropic_overflow_kinds_and_413() -> None:
    async with AnthropicFake(window=600) as fake:
        client = _anthropic(fake)
        with pytest.raises(anthropic.BadRequestError) as too_long:
            await client.messages.create(
                model="c", max_tokens=10, messages=[{"role": "user", "content": BIG}]
            )
        with pytest.raises(anthropic.BadRequestError) as with_output:
            await client.messages.create(
                model="c", max_tokens=590, messages=[{"role": "user", "content": "short question"}]
            )
    prompt = detect_overflow(400, _body(too_long.value))
    assert (
        prompt is not None
        and prompt.kind == "context"
        and prompt.limit == 600
        and prompt.requested == fake.overflows[0].input_tokens
    )
    output = detect_overflow(400, _body(with_output.value))
    assert (
        output is not None and output.kind == "max_tokens" and (output.limit, output.completion) == (600, 590)
    )
    async with AnthropicFake(max_body_bytes=1000) as fake:
        with pytest.raises(anthropic.APIStatusError) as too_big:
            await _anthropic(fake).messages.create(
                model="c", max_tokens=10, messages=[{"role": "user", "content": BIG}]
            )
    assert too_big.value.status_code == 413
    assert detect_overflow(413, _body(too_big.value)) == Overflow("too_large", signal="request_too_large")


async def test_anthropic_missing_version_header() -> None:
    async with AnthropicFake() as fake, aiohttp.ClientSession() as http:
        body = {"model": "c", "max_tokens": 5, "messages": [{"role": "user", "content": "x"}]}
        async with http.post(f"{fake.base_url}/v1/messages", json=body) as response:
            payload = await response.json()
    assert response.status == 400 and payload["error"]["message"] == "anthropic-version: header is required"


def test_signature_is_content_bound() -> None:
    assert sign("a") != sign("b") and sign("a") == sign("a")
