"""The strict fakes' scripts: a scripted failure, a callable script that sees each request,
the MassGen coordination loop, and the reply types as plain data.
"""

from __future__ import annotations

from typing import Any

import openai
import pytest
from openai.types.chat import ChatCompletionMessage, ChatCompletionMessageFunctionToolCall

from tests.fakes.strict import Fail, FakeRequest, OpenAIChatFake, Reply, ToolCall, massgen
from tests.unit.strictkit import (
    _close_clients,  # noqa: F401 (autouse: closes the test's SDK clients)
    _openai,
)


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


def test_reply_types_are_plain_data() -> None:
    reply = Reply(text="x", tool_calls=(ToolCall("f", {"a": 1}),))
    assert reply.tool_calls[0].arguments == {"a": 1}
