"""Coding-agent sessions: what a compressed request still holds that the agent needs later.

A session is the last chat-completions request of an agent run; its earlier requests are that
request's ``messages`` cut before an assistant turn (:func:`points`). At a point, the
*later-needed facts* (:func:`later_facts`) are the strings the agent writes *after* it (its
text and tool-call arguments) that it saw *before* it only in tool outputs: paths, file names,
identifiers, error class names, ``line N`` and numbers of 3+ digits. A fact is kept when the
compressed request still contains it anywhere (:func:`request_text`).

Checks: the task (first user message) verbatim, the newest tool output verbatim, and no tool
result left unpaired (the project's validators, :func:`proxy.compress.violations`).

Baselines at a given size: *observation masking* (:func:`observation_masking`, as in "The
Complexity Trap": the newest tool outputs whole, older ones replaced by a placeholder, the
next-older output cut to fill the size) and *keep-last* (:func:`keep_last`: system prompt,
task and the newest turns that fit, never starting on a tool result).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Any

from tests.bench.reader.reading import message_text

Count = Callable[[dict[str, Any]], int]
MASK = "[earlier output omitted]"

_PATH = re.compile(r"(?<![\w/.:-])(?:\.{0,2}/)?(?:[\w.-]+/)+[\w.-]*[\w]")
_FILE = re.compile(
    r"\b[\w-]+\.(?:py|pyx|pyi|c|h|cpp|js|ts|json|ya?ml|toml|cfg|ini|txt|rst|md|html|css|sh|sql|xml)\b"
)
_ERROR = re.compile(r"\b[A-Z]\w*(?:Error|Exception|Warning)\b")
_LINE = re.compile(r"\bline \d+\b")
_NUMBER = re.compile(r"(?<![\w.])\d{3,}(?!\w|\.\d)")
_IDENT = re.compile(
    r"\b(?:[A-Za-z]\w*_\w*[A-Za-z0-9]"  # snake_case, dunder
    r"|[a-z]+[A-Z]\w*"  # camelCase
    r"|[A-Z][a-z0-9]+[A-Z]\w*"  # CamelCase
    r"|[A-Za-z_]\w*(?:\.[A-Za-z_]\w*){2,})\b"  # dotted module paths
)
KINDS: dict[str, re.Pattern[str]] = {
    "path": _PATH,
    "file": _FILE,
    "error": _ERROR,
    "line": _LINE,
    "number": _NUMBER,
    "identifier": _IDENT,
}


def facts_in(text: str) -> set[str]:
    out: set[str] = set()
    for rx in KINDS.values():
        for m in rx.finditer(text):
            fact = m.group(0).rstrip(".-/")
            if len(fact) >= 3:
                out.add(fact)
    return out


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def call_texts(msg: dict[str, Any]) -> list[str]:
    """A message's tool-call names and arguments (raw JSON, and its decoded strings)."""
    out: list[str] = []
    for call in msg.get("tool_calls") or []:
        fn = call.get("function") or {}
        args = fn.get("arguments")
        out.append(str(fn.get("name", "")))
        if isinstance(args, str):
            out.append(args)
            try:
                out += list(_strings(json.loads(args)))
            except ValueError:
                pass
    return out


def request_text(body: dict[str, Any]) -> str:
    """Everything a request carries that a model reads: contents and tool calls."""
    parts: list[str] = []
    for msg in body.get("messages", []):
        parts.append(message_text(msg))
        parts += call_texts(msg)
    return "\n".join(parts)


def assistant_positions(messages: list[dict[str, Any]]) -> list[int]:
    return [i for i, m in enumerate(messages) if m.get("role") == "assistant"]


def points(
    messages: list[dict[str, Any]], fractions: Iterable[float] = (0.5, 0.75)
) -> list[tuple[float, int]]:
    """(fraction, cut): the request the agent sent before its assistant turn ``⌊n·fraction⌋``
    is ``messages[:cut]``."""
    pos = assistant_positions(messages)
    out: list[tuple[float, int]] = []
    for f in fractions:
        k = int(len(pos) * f)
        if 0 < k < len(pos):
            out.append((f, pos[k]))
    return out


def later_facts(body: dict[str, Any], cut: int, strict: bool = False) -> frozenset[str]:
    """Facts the agent writes after ``cut`` that, before it, came from tool outputs only: not
    in the system prompt, a user message (the task) or the tool definitions — nor, ``strict``,
    in the agent's own earlier text and calls."""
    messages = body["messages"]
    seen_tool: set[str] = set()
    elsewhere = [json.dumps(body.get("tools", []))]
    for m in messages[:cut]:
        role = m.get("role")
        if role == "tool":
            seen_tool |= facts_in(message_text(m))
        elif role != "assistant" or strict:
            elsewhere += [message_text(m), *call_texts(m)]
    other = "\n".join(elsewhere)
    later: set[str] = set()
    for m in messages[cut:]:
        if m.get("role") == "assistant":
            for text in (message_text(m), *call_texts(m)):
                later |= facts_in(text)
    return frozenset(f for f in later & seen_tool if f not in other)


def kept(facts: Iterable[str], body: dict[str, Any]) -> int:
    text = request_text(body)
    return sum(f in text for f in facts)


# -- checks --------------------------------------------------------------------------------------
def task_text(messages: list[dict[str, Any]]) -> str | None:
    return next((message_text(m) for m in messages if m.get("role") == "user"), None)


def task_verbatim(original: dict[str, Any], sent: dict[str, Any]) -> bool:
    task = task_text(original["messages"])
    if not task:
        return True
    return any(m.get("role") == "user" and task in message_text(m) for m in sent["messages"])


def newest_output_verbatim(original: dict[str, Any], sent: dict[str, Any]) -> bool:
    tools = [m for m in original["messages"] if m.get("role") == "tool"]
    if not tools:
        return True
    newest = tools[-1]
    return any(
        m.get("role") == "tool"
        and m.get("tool_call_id") == newest.get("tool_call_id")
        and message_text(m) == message_text(newest)
        for m in sent["messages"]
    )


# -- baselines -----------------------------------------------------------------------------------
def _with_text(msg: dict[str, Any], text: str) -> dict[str, Any]:
    if isinstance(msg.get("content"), list):
        return {**msg, "content": [{"type": "text", "text": text}]}
    return {**msg, "content": text}


def _put(msgs: list[dict[str, Any]], i: int, msg: dict[str, Any]) -> list[dict[str, Any]]:
    out = list(msgs)
    out[i] = msg
    return out


def observation_masking(body: dict[str, Any], budget: int, count: Count) -> dict[str, Any]:
    """Older tool outputs replaced by :data:`MASK`; the newest whole while they fit; the next
    one cut (its head kept) to fill ``budget``. Over the budget when masking everything is."""
    msgs = list(body["messages"])
    tool_idx = [i for i, m in enumerate(msgs) if m.get("role") == "tool"]
    masked = [_with_text(m, MASK) if i in set(tool_idx) else m for i, m in enumerate(msgs)]

    def build(current: list[dict[str, Any]]) -> dict[str, Any]:
        return {**body, "messages": current}

    if count(build(masked)) > budget:
        return build(masked)
    for i in reversed(tool_idx):
        trial = _put(masked, i, msgs[i])
        if count(build(trial)) <= budget:
            masked = trial
            continue
        text = message_text(msgs[i])
        lo, hi = 0, len(text)
        while lo < hi:  # the longest head that fits
            mid = (lo + hi + 1) // 2
            cut = _put(masked, i, _with_text(msgs[i], text[:mid] + "\n[… cut]"))
            if count(build(cut)) <= budget:
                lo = mid
            else:
                hi = mid - 1
        if lo:
            masked = _put(masked, i, _with_text(msgs[i], text[:lo] + "\n[… cut]"))
        break
    return build(masked)


def keep_last(body: dict[str, Any], budget: int, count: Count) -> dict[str, Any]:
    """System prompt and task, then the newest messages that fit, starting on an assistant or
    user message (never an orphaned tool result)."""
    msgs = body["messages"]
    head_n = next((i + 1 for i, m in enumerate(msgs) if m.get("role") == "user"), 1)
    head = msgs[:head_n]
    starts = [i for i in range(head_n, len(msgs)) if msgs[i].get("role") != "tool"]
    for start in starts:  # oldest first: the first that fits keeps the most
        trial = {**body, "messages": head + msgs[start:]}
        if count(trial) <= budget:
            return trial
    return {**body, "messages": head}
