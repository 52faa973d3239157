"""The strict Chat Completions fake, driven by the real ``openai`` SDK: JSON and streamed
replies the SDK reads, tool loops, OpenAI's overflow errors, and the tool pairings and trailing
assistant turns OpenAI refuses.
"""

from __future__ import annotations

from typing import Any

import openai
import orjson
import pytest

from proxy.server.overflow import detect_overflow
from tests.fakes.strict import OpenAIChatFake, always, tool_loop
from tests.unit.strictkit import (
    BIG,
    _body,
    _close_clients,  # noqa: F401 (autouse: closes the test's SDK clients)
    _openai,
)


async def test_chat_json_reply_and_recording() -> None:
    async with OpenAIChatFake(script=always("hello there")) as fake:
        client = _openai(fake)
        completion = await client.chat.completions.create(
            model="m", messages=[{"role": "user", "content": "hi"}], extra_headers={"x-test": "1"}
        )
    assert completion.choices[0].message.content == "hello there"
    assert (
        completion.usage is not None and completion.usage.prompt_tokens == fake.requests[0].input_tokens > 0
    )
    (rec,) = fake.requests
    assert rec.outcome == "ok" and rec.headers["x-test"] == "1" and rec.body["model"] == "m"


async def test_chat_stream_with_tool_call_deltas_and_usage_chunk() -> None:
    script = tool_loop(1, "lookup", {"city": "Paris", "days": 3})
    async with OpenAIChatFake(script=script) as fake:
        client = _openai(fake)
        stream = await client.chat.completions.create(
            model="m",
            messages=[{"role": "user", "content": "weather?"}],
            tools=[{"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}],
            stream=True,
            stream_options={"include_usage": True},
        )
        chunks = [chunk async for chunk in stream]
    functions = [
        tc.function for c in chunks if c.choices for tc in c.choices[0].delta.tool_calls or () if tc.function
    ]
    arguments = "".join(f.arguments or "" for f in functions)
    names = [f.name for f in functions if f.name]
    assert names == ["lookup"] and orjson.loads(arguments) == {"city": "Paris", "days": 3}
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "tool_calls"
    assert (
        chunks[-1].choices == [] and chunks[-1].usage is not None and chunks[-1].usage.completion_tokens > 0
    )
    raw = fake.requests[0]
    assert raw.stream


async def test_chat_tool_loop_through_the_sdk_never_errors() -> None:
    tools: Any = [{"type": "function", "function": {"name": "step", "parameters": {"type": "object"}}}]
    async with OpenAIChatFake(script=tool_loop(3, "step", final="all done")) as fake:
        client = _openai(fake)
        messages: list[Any] = [{"role": "user", "content": "go"}]
        for _ in range(5):
            reply = (
                (await client.chat.completions.create(model="m", messages=messages, tools=tools))
                .choices[0]
                .message
            )
            if not reply.tool_calls:
                break
            messages.append(reply.model_dump(exclude_none=True))
            messages += [{"role": "tool", "tool_call_id": c.id, "content": "ok"} for c in reply.tool_calls]
    assert reply.content == "all done"
    assert len(fake.ok) == 4 and not fake.invalid


async def test_chat_overflow_is_openais_error() -> None:
    async with OpenAIChatFake(window=500) as fake:
        with pytest.raises(openai.BadRequestError) as caught:
            await _openai(fake).chat.completions.create(
                model="m", messages=[{"role": "user", "content": BIG}]
            )
    assert caught.value.code == "context_length_exceeded"
    assert (
        "This model's maximum context length is 500 tokens. However, your messages resulted in"
        in caught.value.message
    )
    found = detect_overflow(400, _body(caught.value))
    assert found is not None and found.kind == "context" and found.limit == 500
    assert found.requested == fake.overflows[0].input_tokens


async def test_chat_overflow_with_completion_reservation() -> None:
    async with OpenAIChatFake(window=300) as fake:
        with pytest.raises(openai.BadRequestError) as caught:
            await _openai(fake).chat.completions.create(
                model="m", messages=[{"role": "user", "content": "short"}], max_tokens=1000
            )
    found = detect_overflow(400, _body(caught.value))
    assert found is not None and (found.limit, found.completion) == (300, 1000)


@pytest.mark.parametrize(
    ("messages", "text"),
    [
        (
            [
                {"role": "user", "content": "go"},
                {
                    "role": "assistant",
                    "tool_calls": [
                        {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
                    ],
                },
                {"role": "user", "content": "next"},
            ],
            "The following tool_call_ids did not have response messages: call_1",
        ),
        (
            [{"role": "user", "content": "go"}, {"role": "tool", "tool_call_id": "call_9", "content": "x"}],
            "messages with role 'tool' must be a response to a preceeding message with 'tool_calls'",
        ),
        (
            [
                {"role": "user", "content": "go"},
                {
                    "role": "assistant",
                    "tool_calls": [
                        {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": {}}}
                    ],
                },
                {"role": "tool", "tool_call_id": "call_1", "content": "x"},
            ],
            "expected a string, but got an object instead",
        ),
    ],
    ids=["unanswered tool_calls", "orphan tool message", "arguments not a string"],
)
async def test_chat_rejects_invalid_tool_pairing(messages: list[Any], text: str) -> None:
    async with OpenAIChatFake() as fake:
        with pytest.raises(openai.BadRequestError) as caught:
            await _openai(fake).chat.completions.create(model="m", messages=messages)
    assert text in caught.value.message
    assert len(fake.invalid) == 1 and fake.invalid[0].status == 400
    assert detect_overflow(400, _body(caught.value)) is None


async def test_chat_trailing_assistant_rejected_when_asked() -> None:
    messages: Any = [{"role": "user", "content": "go"}, {"role": "assistant", "content": "partial"}]
    async with OpenAIChatFake(reject_trailing_assistant=True) as fake:
        with pytest.raises(openai.BadRequestError, match=r"Expected last role to be one of: \[tool, user\]"):
            await _openai(fake).chat.completions.create(model="m", messages=messages)
