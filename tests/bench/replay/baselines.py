"""Client-side baselines, computed on the same requests: observation masking (moving and
sticky) and a sliding window."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from tests.bench.replay.sessions import Msg, tokens

PLACEHOLDER = "[Old tool output omitted]"


def _masked(m: Msg) -> Msg:
    return {**m, "content": PLACEHOLDER}


def mask_moving(messages: Sequence[Msg], keep: int = 10) -> list[Msg]:
    """Every tool output but the newest ``keep`` becomes a placeholder (moves every turn)."""
    tool_at = [i for i, m in enumerate(messages) if m.get("role") == "tool"]
    old = set(tool_at[: max(0, len(tool_at) - keep)])
    return [_masked(m) if i in old else m for i, m in enumerate(messages)]


def size(messages: Sequence[Msg], tools: Sequence[Any]) -> int:
    return tokens(len(orjson.dumps(list(tools))) + sum(len(orjson.dumps(m)) for m in messages))


class StickyMask:
    """Masks only grow: over ``trigger`` tokens, the oldest unmasked tool outputs are masked
    until the request is under ``target`` (a compaction breaks the cache from the first newly
    masked output on); the newest ``keep`` outputs are never masked."""

    def __init__(self, trigger: int, target: int, keep: int = 3) -> None:
        self.trigger, self.target, self.keep = trigger, target, keep
        self.masked: set[int] = set()
        self.compactions = 0

    def reset(self) -> None:
        self.masked = set()

    def apply(self, messages: Sequence[Msg], tools: Sequence[Any]) -> list[Msg]:
        out = [_masked(m) if i in self.masked else m for i, m in enumerate(messages)]
        if size(out, tools) <= self.trigger:
            return out
        self.compactions += 1
        tool_at = [i for i, m in enumerate(messages) if m.get("role") == "tool" and i not in self.masked]
        sizes = {i: tokens(len(orjson.dumps(messages[i]))) for i in tool_at}
        total = size(out, tools)
        for i in tool_at[: max(0, len(tool_at) - self.keep)]:
            if total <= self.target:
                break
            self.masked.add(i)
            out[i] = _masked(messages[i])
            total -= sizes[i] - tokens(len(orjson.dumps(out[i])))
        return out


def _turns(messages: Sequence[Msg]) -> tuple[list[Msg], list[list[Msg]]]:
    """The system prompt and the task, and the turns after them (an assistant turn and its
    tool outputs go together)."""
    groups: list[list[Msg]] = []
    for m in messages[2:]:
        if m.get("role") == "tool" and groups:
            groups[-1].append(m)
        else:
            groups.append([m])
    return list(messages[:2]), groups


def sliding_turns(messages: Sequence[Msg], keep: int = 10) -> list[Msg]:
    """The system prompt and the task, then the newest ``keep`` turns (the window moves every
    turn once there are more, as masking's does)."""
    head, groups = _turns(messages)
    return head + [m for g in groups[-keep:] for m in g]


def sliding_window(messages: Sequence[Msg], tools: Sequence[Any], budget: int) -> list[Msg]:
    """The system prompt and the task, then the newest messages that fit ``budget`` tokens (an
    assistant turn and its tool outputs go together)."""
    head, groups = _turns(messages)
    room = budget - size(head, tools)
    kept: list[list[Msg]] = []
    for g in reversed(groups):
        s = size(g, [])
        if s > room and kept:
            break
        kept.append(g)
        room -= s
    return head + [m for g in reversed(kept) for m in g]
