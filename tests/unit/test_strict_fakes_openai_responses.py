"""The strict Responses fake, driven by the real ``openai`` SDK: streamed events with usage,
a function-call chain through ``previous_response_id``, the input items OpenAI refuses, and the
overflow as an HTTP error, as a ``response.failed`` event, and avoided by truncation.
"""

from __future__ import annotations

from typing import Any

import openai
import pytest
from openai.types.responses import ResponseCompletedEvent

from proxy.server.overflow import Overflow, detect_overflow, detect_overflow_event
from tests.fakes.strict import OpenAIResponsesFake, always, tool_loop
from tests.unit.strictkit import (
    BIG,
    _body,
    _close_clients,  # noqa: F401 (autouse: closes the test's SDK clients)
    _openai,
)


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
