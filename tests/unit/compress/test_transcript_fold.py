"""A request whose only user message holds a transcript and a question, over its input
budget: the transcript's oldest lines are condensed in place (dated, attributed), its newest
lines and the question stay verbatim, and the message frees what the budget needs."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import orjson

from proxy.compress import Compactor, Limits, TokenCounter, violations
from proxy.compress.stages.transcript_fold import KEEP_LINES, OFFLOAD_CHARS, fold_in_place, fold_off_loop
from proxy.compress.units import estimate_tokens
from proxy.config import load_settings
from proxy.storage import MemoryKV
from tests.unit.compress.transcript_chat import transcript_lines

COUNTER = TokenCounter()
SETTINGS = load_settings(environ={}).compression
CHAT = "\n".join(transcript_lines())
QUESTION = "What did we do in Bath?"
TEXT = f"Here is our whole chat:\n{CHAT}\n\n{QUESTION}"
OPENED = re.compile(
    r"^Here is our whole chat:\n\[ctxproxy: the (\d+) oldest lines of this conversation, condensed"
)


def compactor(kv: MemoryKV | None = None) -> Compactor:
    return Compactor(SETTINGS, kv=kv or MemoryKV(), counter=COUNTER)


def single(text: str = TEXT) -> dict[str, Any]:
    return {
        "model": "gpt-4o",
        "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": text}],
    }


def test_the_oldest_lines_are_condensed_and_the_newest_stay() -> None:
    need = estimate_tokens(TEXT) // 3
    new = fold_in_place(TEXT, need, estimate_tokens)
    assert new is not None and estimate_tokens(TEXT) - estimate_tokens(new) >= need
    m = OPENED.match(new)
    assert m is not None
    folded = int(m.group(1))
    kept = CHAT.split("\n")[folded:]
    assert new.endswith("\n".join(kept) + f"\n\n{QUESTION}")  # the newest lines and the question verbatim
    assert f"[ctxproxy: the {len(kept)} newest lines follow verbatim]" in new
    digest = new[m.end() : new.index("[ctxproxy: the", m.end())].split("\n")[1:]
    assert digest[0].startswith("- [8 May 2023] ") and "Priya:" in digest[0] and "Tom:" in digest[0]
    assert all(re.match(r"- \[\d+ \w+ 2023\] (Priya|Tom):", line) for line in digest if line)


def test_the_newest_lines_carry_their_day() -> None:
    # the fold ends inside the second session: its day is written before the lines kept
    lines = CHAT.split("\n")
    need = int(sum(estimate_tokens(x) + 1 for x in lines[:50]) * 0.75)
    new = fold_in_place(TEXT, need, estimate_tokens)
    assert new is not None
    after = new.split("newest lines follow verbatim]\n", 1)[1]
    assert after.startswith("9 June 2023\n") or after.startswith("7:55 pm on 9 June, 2023")


def test_what_is_not_folded() -> None:
    assert (
        fold_in_place("Fix the importer.\n" + "Keep load_rows as it is. " * 400, 100, estimate_tokens) is None
    )
    short = "\n".join(f"{'Priya' if i % 2 else 'Tom'}: see you at {i}" for i in range(12))  # under 300 tokens
    assert fold_in_place(short, 50, estimate_tokens) is None
    # the newest lines always stay: more than folding all but them can free is refused
    assert fold_in_place(TEXT, estimate_tokens(TEXT), estimate_tokens) is None
    assert KEEP_LINES >= 1


async def test_a_pasted_chat_over_the_budget_is_condensed_from_its_oldest_lines() -> None:
    fits = await compactor().compress(single(), "openai-chat", "gpt-4o", Limits(8_000, None, None))
    assert fits.body is None or fits.body["messages"][1]["content"] == TEXT  # fits its budget: sent whole
    result = await compactor().compress(single(), "openai-chat", "gpt-4o", Limits(5_000, None, None))
    assert (
        result.body is not None and result.tokens_after <= result.budget
    )  # (over the target: the request's own message)
    assert not violations("openai-chat", result.body)
    sent = result.body["messages"][1]["content"]
    assert OPENED.match(sent) and sent.endswith(f"\n\n{QUESTION}")
    assert "truncated" not in sent  # not cut in the middle
    assert result.tokens_after >= 0.8 * result.budget  # it frees what the budget needs, not more


async def test_the_next_turn_replays_the_condensed_message_byte_for_byte() -> None:
    kv = MemoryKV()
    limits = Limits(5_000, None, None)
    first = await compactor(kv).compress(single(), "openai-chat", "gpt-4o", limits, agent="a")
    assert first.body is not None
    more = single()
    more["messages"] += [
        {"role": "assistant", "content": "You went kayaking."},
        {"role": "user", "content": "ok"},
    ]
    second = await compactor(kv).compress(more, "openai-chat", "gpt-4o", limits, agent="a")
    sent = first.body["messages"]
    assert second.body is not None
    assert orjson.dumps(second.body["messages"][: len(sent)]) == orjson.dumps(sent)


async def test_a_long_transcript_is_folded_off_the_event_loop() -> None:
    lines = transcript_lines(8_000, 2_001)
    text = "\n".join(lines) + "\n\nAnd Tom?"
    assert len(text) > OFFLOAD_CHARS
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    ticker = asyncio.create_task(tick())
    try:
        new = await fold_off_loop(text, estimate_tokens(text) // 2, estimate_tokens)
    finally:
        ticker.cancel()
    assert new is not None and new.endswith("\n\nAnd Tom?")
    assert ticks > 0  # the loop kept running while the digest was built
