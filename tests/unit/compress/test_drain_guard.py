"""The drain (live traffic, ``Compactor.decide``) never cuts the task or the newest turn (the
newest user message, the newest assistant reply and its tool outputs) while the request fits
its input budget: a drained target is not the budget."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from proxy.compress import Compactor, Limits, TokenCounter, violations
from proxy.config import load_settings
from proxy.storage import MemoryKV
from tests.unit.compress.convgen import RENDER, Turn, filler

COUNTER = TokenCounter()
LIMITS = Limits(24_000, None, None)
TASK = "Task: fix bug 4711 in src/core/engine.py; the invoice total must stay 1234.56 EUR."


def tool_loop(outputs: list[int], tail: list[Turn]) -> list[Turn]:
    """The task, one tool call per output size (words), then ``tail``."""
    turns: list[Turn] = [("user", TASK)]
    for i, n in enumerate(outputs):
        turns.append(("tools", [("read_file", f'{{"path": "src/m{i}.py"}}', filler(i, n))], None))
    return turns + tail


CASES = {
    # A large newest output: the drain's guard sizes the target for it, and the cut judged
    # "would not fit" against the drained target ÷ the target share, not the budget.
    "large newest output": tool_loop([900] * 6 + [1600] * 3 + [5000], []),
    # The agent answered in text after its last tool call, and the user asked it to go on:
    # the newest tool output is in the group before the newest assistant message.
    "text reply then user": tool_loop(
        [900] * 14 + [1500],
        [("assistant", "I ran it; " + filler(99, 700)), ("user", "Please continue working on the task.")],
    ),
    # Over the input budget as sent: the cut shortens the other recent turns first, and the
    # newest output stays whole once the request fits the budget.
    "over the budget": tool_loop([900] * 4 + [6000] + [900] * 2 + [9000], []),
}
OVER_TARGET = {"over the budget"}  # the newest turn alone is larger than the target


def texts(msgs: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(m["role"], orjson.dumps(m.get("content")).decode()) for m in msgs]


async def send(compactor: Compactor, script: list[Turn]) -> tuple[dict[str, Any], Any]:
    body = RENDER["openai-chat"](script)
    d = await compactor.decide(orjson.dumps(body), body, "openai-chat", "gpt-4o", LIMITS, "agent-1")
    return body, d


@pytest.mark.parametrize("case", list(CASES))
async def test_the_drain_keeps_the_task_and_the_newest_turn_verbatim(case: str) -> None:
    compactor = Compactor(load_settings(environ={}).compression, kv=MemoryKV(), counter=COUNTER)
    body, d = await send(compactor, CASES[case])
    check(case, body, d, drained=case not in OVER_TARGET)
    # The drain left room for the next turns: they replay the stored compaction and append.
    script = list(CASES[case])
    for i in range(3):
        script.append(("tools", [("run", f'{{"cmd": "pytest -k t{i}"}}', filler(50 + i, 1500))], None))
        body, d = await send(compactor, script)
        check(case, body, d, drained=False)


def check(case: str, body: dict[str, Any], d: Any, drained: bool = True) -> None:
    assert d.result is not None and d.body is not None, d
    assert d.result.tokens_after <= d.result.budget
    sent = texts(d.body["messages"])
    msgs = body["messages"]
    last_assistant = max(i for i, m in enumerate(msgs) if m["role"] == "assistant")
    newest_tool = max(i for i, m in enumerate(msgs) if m["role"] == "tool")
    task = next(i for i, m in enumerate(msgs) if m["role"] == "user")
    must = {task, newest_tool, newest_tool - 1, *range(last_assistant, len(msgs))}
    for i in sorted(must):
        assert texts([msgs[i]])[0] in sent, (case, i, msgs[i]["role"])
    assert violations("openai-chat", d.body) <= violations("openai-chat", body)
    if drained:  # the guard is not bought by not draining: below the preset's target
        assert d.result.tokens_after < d.result.target_tokens
