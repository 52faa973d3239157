"""The strict fakes themselves, driven by the real ``openai`` and ``anthropic`` SDKs (Gemini: raw HTTP).

If a fake accepted what the provider refuses, or answered in a shape the SDKs cannot read,
every proxy test built on it would be worthless: these pin both sides.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import anthropic
import openai
import orjson
import pytest
from openai.types.chat import ChatCompletionMessage, ChatCompletionMessageFunctionToolCall
from openai.types.responses import ResponseCompletedEvent

from proxy.server.overflow import Overflow, detect_overflow, detect_overflow_event
from tests.fakes.strict import (
    AnthropicFake,
    Fail,
    FakeRequest,
    GeminiFake,
    OpenAIChatFake,
    OpenAIResponsesFake,
    Reply,
    ToolCall,
    always,
    massgen,
    tool_loop,
)
from tests.fakes.strict_anthropic import sign

BIG = "lorem ipsum dolor sit amet " * 400  # ~2.4k tokens


_CLIENTS: list[openai.AsyncOpenAI | anthropic.AsyncAnthropic] = []


@pytest.fixture(autouse=True)
async def _close_clients() -> AsyncIterator[None]:
    """SDK clients a test made are closed before its loop ends (else: unclosed sockets)."""
    yield
    while _CLIENTS:
        await _CLIENTS.pop().close()


def _openai(fake: Any) -> openai.AsyncOpenAI:
    client = openai.AsyncOpenAI(base_url=fake.base_url, api_key="sk-test", max_retries=0)
    _CLIENTS.append(client)
    return client


def _anthropic(fake: Any) -> anthropic.AsyncAnthropic:
    client = anthropic.AsyncAnthropic(base_url=fake.base_url, api_key="sk-ant-test", max_retries=0)
    _CLIENTS.append(client)
    return client


def _body(exc: openai.APIStatusError | anthropic.APIStatusError) -> bytes:
    return exc.response.content


# --------------------------------------------------------------------------------------------
# OpenAI Chat Completions


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


async def test_scripted_failure_and_callable_script() -> None:
    seen: list[FakeRequest] = []

    def script(request: FakeRequest) -> Reply | Fail:
        seen.append(request)
        if "limit me" in request.last_user_text:
            return Fail(
                429,
                {
                    "error": {
                        "message": "Rate limit reached",
                        "type": "requests",
                        "code": "rate_limit_exceeded",
                    }
                },
            )
        return Reply(text=f"{len(request.texts)} texts")

    async with OpenAIChatFake(script=script) as fake:
        client = _openai(fake)
        with pytest.raises(openai.RateLimitError):
            await client.chat.completions.create(
                model="m", messages=[{"role": "user", "content": "limit me"}]
            )
        ok = await client.chat.completions.create(
            model="m", messages=[{"role": "system", "content": "s"}, {"role": "user", "content": "hi"}]
        )
    assert ok.choices[0].message.content == "2 texts"
    assert [r.outcome for r in fake.requests] == ["scripted", "ok"]
    assert seen[1].texts == ("s", "hi")


def _called(message: ChatCompletionMessage) -> list[str]:
    return [
        c.function.name
        for c in message.tool_calls or ()
        if isinstance(c, ChatCompletionMessageFunctionToolCall)
    ]


async def test_massgen_script_plays_the_coordination_loop() -> None:
    tools: Any = [
        {"type": "function", "function": {"name": n, "parameters": {"type": "object"}}}
        for n in ("new_answer", "vote")
    ]
    first = "<ORIGINAL MESSAGE> q <END OF ORIGINAL MESSAGE>\n<CURRENT ANSWERS from the agents>\n(no answers available yet)\n"
    later = "<ORIGINAL MESSAGE> q <END OF ORIGINAL MESSAGE>\n<agent1.1> 4 <end of agent1.1>"
    async with OpenAIChatFake(script=massgen(final="FINAL")) as fake:
        client = _openai(fake)
        replies = []
        for text, offered in ((first, tools), (later, tools), (later, tools[:1])):
            replies.append(
                (
                    await client.chat.completions.create(
                        model="m", messages=[{"role": "user", "content": text}], tools=offered
                    )
                )
                .choices[0]
                .message
            )
    assert _called(replies[0]) == ["new_answer"]
    assert _called(replies[1]) == ["vote"]
    assert replies[2].content == "FINAL"


# --------------------------------------------------------------------------------------------
# OpenAI Responses


async def test_responses_stream_events_and_usage() -> None:
    async with OpenAIResponsesFake(script=always("streamed text here")) as fake:
        stream = await _openai(fake).responses.create(model="m", input="hi", stream=True)
        events = [event async for event in stream]
    kinds = [e.type for e in events]
    assert kinds[0] == "response.created" and kinds[-1] == "response.completed"
    assert "".join(e.delta for e in events if e.type == "response.output_text.delta") == "streamed text here"
    last = events[-1]
    assert isinstance(last, ResponseCompletedEvent)
    final = last.response
    assert final.usage is not None and final.usage.input_tokens == fake.requests[0].input_tokens
    assert final.output_text == "streamed text here"


async def test_responses_function_call_chain_with_previous_response_id() -> None:
    async with OpenAIResponsesFake(script=tool_loop(1, "lookup", {"q": "x"}, final="answer")) as fake:
        client = _openai(fake)
        tools: Any = [{"type": "function", "name": "lookup", "parameters": {"type": "object"}}]
        first = await client.responses.create(model="m", input="find x", tools=tools)
        call = first.output[0]
        assert call.type == "function_call"
        with pytest.raises(openai.BadRequestError, match="No tool output found for function call"):
            await client.responses.create(
                model="m", input="ignore the call", previous_response_id=first.id, tools=tools
            )
        second = await client.responses.create(
            model="m",
            previous_response_id=first.id,
            input=[{"type": "function_call_output", "call_id": call.call_id, "output": "42"}],
            tools=tools,
        )
    assert second.output_text == "answer"
    assert fake.requests[2].input_tokens > fake.requests[0].input_tokens  # the chain counts


@pytest.mark.parametrize(
    ("items", "text"),
    [
        (
            [{"type": "function_call_output", "call_id": "call_x", "output": "1"}],
            "No tool call found for function call output with call_id call_x",
        ),
        (
            [
                {"role": "user", "content": "q"},
                {"type": "function_call", "call_id": "call_y", "name": "f", "arguments": "{}"},
            ],
            "No tool output found for function call call_y",
        ),
        (
            [
                {"role": "user", "content": "q"},
                {"type": "reasoning", "id": "rs_1", "summary": []},
                {"role": "user", "content": "again"},
            ],
            "Item 'rs_1' of type 'reasoning' was provided without its required following item",
        ),
    ],
    ids=["orphan output", "call without output", "reasoning without its item"],
)
async def test_responses_rejects_invalid_items(items: Any, text: str) -> None:
    async with OpenAIResponsesFake() as fake:
        with pytest.raises(openai.BadRequestError) as caught:
            await _openai(fake).responses.create(model="m", input=items)
    assert text in caught.value.message and len(fake.invalid) == 1


async def test_responses_overflow_http_and_event_and_truncation() -> None:
    async with OpenAIResponsesFake(window=400) as fake:
        client = _openai(fake)
        with pytest.raises(openai.BadRequestError) as caught:
            await client.responses.create(model="m", input=BIG)
        assert caught.value.code == "context_length_exceeded"
        assert detect_overflow(400, _body(caught.value)) == Overflow("context", signal="responses")
        truncated = await client.responses.create(model="m", input=BIG, truncation="auto")
        assert truncated.status == "completed"
    async with OpenAIResponsesFake(window=400, overflow_as_event=True) as fake:
        stream = await _openai(fake).responses.create(model="m", input=BIG, stream=True)
        events = [event async for event in stream]
    assert events[-1].type == "response.failed"
    assert detect_overflow_event(events[-1].model_dump()) == Overflow("context", signal="responses")
    assert fake.overflows and fake.overflows[0].status == 200


# --------------------------------------------------------------------------------------------
# Anthropic Messages


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


# --------------------------------------------------------------------------------------------
# Gemini (no SDK in the dev venv: raw HTTP, the shape google-genai sends)


async def _gemini(fake: GeminiFake, model: str, method: str, body: Any, query: str = "") -> tuple[int, bytes]:
    async with aiohttp.ClientSession() as http:
        url = f"{fake.base_url}/v1beta/models/{model}:{method}{query}"
        async with http.post(url, json=body, headers={"x-goog-api-key": "k"}) as response:
            return response.status, await response.read()


async def test_gemini_generate_and_stream_with_function_call() -> None:
    script = tool_loop(1, "lookup", {"q": "x"}, final="done")
    body: Any = {
        "contents": [{"role": "user", "parts": [{"text": "find x"}]}],
        "tools": [{"functionDeclarations": [{"name": "lookup"}]}],
    }
    async with GeminiFake(script=script) as fake:
        status, raw = await _gemini(fake, "gemini-2.5-flash", "streamGenerateContent", body, "?alt=sse")
        events = [orjson.loads(line[5:]) for line in raw.split(b"\r\n\r\n") if line.startswith(b"data:")]
        call = events[-1]["candidates"][0]["content"]["parts"][-1]["functionCall"]
        assert status == 200 and call == {"name": "lookup", "args": {"q": "x"}}
        assert events[-1]["usageMetadata"]["promptTokenCount"] == fake.requests[0].input_tokens
        body["contents"] += [
            {"role": "model", "parts": [{"functionCall": call}]},
            {"role": "user", "parts": [{"functionResponse": {"name": "lookup", "response": {"r": 1}}}]},
        ]
        status, raw = await _gemini(fake, "gemini-2.5-flash", "generateContent", body)
    assert status == 200 and orjson.loads(raw)["candidates"][0]["content"]["parts"] == [{"text": "done"}]
    assert fake.requests[0].path == "/v1beta/models/gemini-2.5-flash:streamGenerateContent"


async def test_gemini_rejects_bad_pairing_and_overflows() -> None:
    orphan = {
        "contents": [
            {"role": "user", "parts": [{"text": "a"}]},
            {"role": "user", "parts": [{"functionResponse": {"name": "f", "response": {}}}]},
        ]
    }
    two_for_one = {
        "contents": [
            {"role": "user", "parts": [{"text": "a"}]},
            {"role": "model", "parts": [{"functionCall": {"name": "f", "args": {}}}]},
            {
                "role": "user",
                "parts": [
                    {"functionResponse": {"name": "f", "response": {}}},
                    {"functionResponse": {"name": "f", "response": {}}},
                ],
            },
        ]
    }
    async with GeminiFake(window=500) as fake:
        s1, b1 = await _gemini(fake, "g", "generateContent", orphan)
        s2, b2 = await _gemini(fake, "g", "generateContent", two_for_one)
        s3, b3 = await _gemini(
            fake, "g", "generateContent", {"contents": [{"role": "user", "parts": [{"text": BIG}]}]}
        )
    assert s1 == 400 and b"function response turn comes immediately after a function call turn" in b1
    assert s2 == 400 and b"number of function response parts is equal" in b2
    found = detect_overflow(s3, b3)
    assert (
        s3 == 400
        and found is not None
        and found.limit == 500
        and found.requested == fake.overflows[0].input_tokens
    )
    assert orjson.loads(b3)["error"]["status"] == "INVALID_ARGUMENT"
    assert len(fake.invalid) == 2


def test_reply_types_are_plain_data() -> None:
    reply = Reply(text="x", tool_calls=(ToolCall("f", {"a": 1}),))
    assert reply.tool_calls[0].arguments == {"a": 1}
