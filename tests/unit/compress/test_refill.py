"""A digest that holds every unit of its span and still comes out well under its budget gives
the room back: the newest of the groups it was to stand for stay verbatim.

Fixture written for these tests: a chat export sent a message a line (a stamp on every short
message), mostly reactions, a fact every tenth message.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from proxy.compress import Compactor, ExtractiveSummarizer, Limits, SummaryRequest, TokenCounter, violations
from proxy.config import SummaryShare, load_settings

REACTIONS = ("lol", "omg 😂", "haha ok", "sooo true", "ikr", "wait what", "aww ❤️", "yesss", "hmmm", "no way")
COUNTER = TokenCounter()


def export(n: int = 600) -> dict[str, Any]:
    messages: list[dict[str, Any]] = [{"role": "system", "content": "A chat between Priya and Tom."}]
    for i in range(n):
        who, role = ("Priya", "user") if i % 2 == 0 else ("Tom", "assistant")
        day, second = 1 + i // 100, i % 60
        text = f"I adopted a greyhound called Pesto{i} from the shelter" if i % 10 == 3 else REACTIONS[i % 10]
        stamp = f"{day:02d}.05.2023, 13:{(i // 60) % 60:02d}:{second:02d}"
        messages.append({"role": role, "content": f"{stamp} - {who}: {text}"})
    messages.append({"role": "user", "content": "What did Priya adopt?"})
    return {"model": "gpt-4o", "messages": messages}


class Counting:
    """The extractive digest under a name of its choosing, counting its calls."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.calls = 0
        self._inner = ExtractiveSummarizer()

    async def summarize(self, request: SummaryRequest) -> str:
        self.calls += 1
        return await self._inner.summarize(request)


async def compress(summarizer: Counting) -> tuple[dict[str, Any], Any]:
    settings = dataclasses.replace(
        load_settings(environ={}).compression, strategy="aggressive", summary_share=SummaryShare()
    )
    body = export()
    tokens = COUNTER.count_request("openai-chat", body, "gpt-4o")
    compactor = Compactor(settings, counter=COUNTER, summarizer=summarizer)
    result = await compactor.compress(body, "openai-chat", "gpt-4o", Limits(tokens, None, None))
    assert result.body is not None
    return result.body, result


def verbatim(body: dict[str, Any]) -> list[str]:
    return [m["content"] for m in body["messages"][1:-1] if "ctxproxy: summary" not in m["content"]]


async def test_a_digest_under_its_budget_gives_the_room_to_the_newest_messages() -> None:
    control, refilled = Counting("control"), Counting("extractive")
    before, plain = await compress(control)
    after, result = await compress(refilled)
    assert control.calls == 1 and refilled.calls == 2  # made again once, for the shorter span
    assert result.tokens_after <= result.target_tokens
    assert result.tokens_after > plain.tokens_after + 0.1 * result.target_tokens  # the room is used
    kept_before, kept_after = verbatim(before), verbatim(after)
    assert len(kept_after) > len(kept_before)
    original = [m["content"] for m in export()["messages"][1:-1]]
    first, newest = kept_after[0], kept_after[1:]
    assert first == original[0]  # the first turn stays, as always
    assert newest == original[len(original) - len(newest) :]  # then the newest, in order
    digest = next(m["content"] for m in after["messages"] if "ctxproxy: summary" in m["content"])
    older = [f"Pesto{i}" for i in range(1, len(original) - len(newest)) if i % 10 == 3]
    assert older and all(name in digest for name in older)  # every fact the digest stands for
    assert not violations("openai-chat", after)


async def test_a_model_summary_is_not_asked_twice() -> None:
    summarizer = Counting("llm")
    await compress(summarizer)
    assert summarizer.calls == 1


async def test_a_huge_span_is_not_digested_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    from proxy.compress.stages import summarize

    monkeypatch.setattr(summarize, "REFILL_MAX_SPAN", 1_000)  # the fixture's span is ~9,000 tokens
    summarizer = Counting("extractive")
    await compress(summarizer)
    assert summarizer.calls == 1
