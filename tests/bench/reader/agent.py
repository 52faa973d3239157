"""Coding-agent sessions: what a compressed request still holds that the agent needs later.

A session is the last chat-completions request of an agent run; its earlier requests are that
request's ``messages`` cut before an assistant turn (:func:`points`). At a point, the
*later-needed facts* (:func:`later_facts`) are the strings the agent writes *after* it (its
text and tool-call arguments) that, *before* it, it saw **only** in tool outputs: paths, file
names, identifiers, error class names, ``line N`` and numbers of 3+ digits. "Only" is read
strictly: a fact that the system prompt, a user message (the task), the tool definitions or the
agent's own earlier text or tool calls already held is not needed from a tool output, so it is
not counted (``strict=False`` gives the older, lenient reading that let the agent's own words
count). A fact is kept when the compressed request still holds it as a whole token (not inside
a longer name or number: ``123`` is not in ``1234``), anywhere a model reads (:func:`request_text`).

Checks: the task (first user message) verbatim, the newest tool output verbatim, and no tool
result left unpaired (the project's validators, :func:`proxy.compress.violations`).

Baselines at a given size: *observation masking* (:func:`observation_masking`, as in "The
Complexity Trap": the newest tool outputs whole, older ones replaced by a placeholder, the
next-older output cut to fill the size) and *keep-last* (:func:`keep_last`: system prompt,
task and the newest turns that fit, never starting on a tool result; the turn before them, its
outputs cut, fills the size).
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
    r"\b(?:_*[A-Za-z][A-Za-z0-9]*_\w*"  # snake_case, _private, __dunder__
    r"|[a-z]+[A-Z]\w*"  # camelCase
    r"|[A-Z][a-z0-9]+[A-Z]\w*"  # CamelCase
    r"|[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+)\b"  # dotted names: self.cols, np.array, a.b.c
)
_ABBREVIATION = re.compile(r"(?i)^[a-z]\.[a-z]$")  # e.g, i.e: not names
MARKER_LIST = re.compile(r"; mentions: [^\]\n]*")  # inside "[ctxproxy: … omitted …; mentions: …]"
KINDS: dict[str, re.Pattern[str]] = {
    "path": _PATH,
    "file": _FILE,
    "error": _ERROR,
    "line": _LINE,
    "number": _NUMBER,
    "identifier": _IDENT,
}


def kinds_in(text: str) -> dict[str, str]:
    """Every fact in ``text`` with its kind (the first kind that finds it, in :data:`KINDS` order).
    A match glued to more of a name or number (``django__3`` of ``django__3.0``) is no fact."""
    out: dict[str, str] = {}
    for kind, rx in KINDS.items():
        for m in rx.finditer(text):
            fact = m.group(0).rstrip(".-/")
            if (
                len(fact) >= 3
                and not _ABBREVIATION.match(fact)
                and _alone(text, m.start(), m.start() + len(fact))
            ):
                out.setdefault(fact, kind)
    return out


def facts_in(text: str) -> set[str]:
    return set(kinds_in(text))


def kind_of(fact: str) -> str:
    return kinds_in(fact).get(fact, "identifier")


def _alone(text: str, at: int, end: int) -> bool:
    """``text[at:end]`` is a whole token: no name character before it, none after it, and no
    decimal part after it."""
    before = text[at - 1] if at else " "
    after = text[end : end + 2]
    return not (before.isalnum() or before == "_") and not (
        after[:1].isalnum() or after[:1] == "_" or (after[:1] == "." and after[1:2].isdigit())
    )


def holds(text: str, fact: str) -> bool:
    """``fact`` is in ``text`` as a whole token: not glued to a longer name, path or number."""
    at = text.find(fact)
    while at >= 0:
        if _alone(text, at, at + len(fact)):
            return True
        at = text.find(fact, at + 1)
    return False


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
    """A message's tool-call names and arguments: the decoded strings (a model reads those, not
    the JSON escapes), or the raw text when the arguments are not JSON."""
    out: list[str] = []
    for call in msg.get("tool_calls") or []:
        fn = call.get("function") or {}
        args = fn.get("arguments")
        out.append(str(fn.get("name", "")))
        if isinstance(args, str):
            try:
                out += list(_strings(json.loads(args)))
            except ValueError:
                out.append(args)
        elif args is not None:
            out += list(_strings(args))
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


def later_facts(body: dict[str, Any], cut: int, strict: bool = True) -> frozenset[str]:
    """Facts the agent writes after ``cut`` that, before it, it saw only in tool outputs: not in
    the system prompt, a user message (the task), the tool definitions or — ``strict``, the
    issue's reading — the agent's own earlier text and calls."""
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
    return frozenset(f for f in later & seen_tool if not holds(other, f))


def kept(facts: Iterable[str], body: dict[str, Any], marker_lists: bool = True) -> int:
    """How many of ``facts`` the request holds; ``marker_lists=False``: not counting the bare
    name lists (``; mentions: a, b, …``) of the proxy's cut and mask markers."""
    text = request_text(body)
    if not marker_lists:
        text = MARKER_LIST.sub("", text)
    return sum(holds(text, f) for f in facts)


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


def keep_last(body: dict[str, Any], budget: int, count: Count, fill: bool = True) -> dict[str, Any]:
    """System prompt and task, then the newest messages that fit, starting on an assistant or
    user message (never an orphaned tool result). ``fill``: the turn before them joins too when
    it fits with its tool outputs cut (their heads kept), so keep-last lands at the size."""
    msgs = body["messages"]
    head_n = next((i + 1 for i, m in enumerate(msgs) if m.get("role") == "user"), 1)
    head = msgs[:head_n]
    starts = [i for i in range(head_n, len(msgs)) if msgs[i].get("role") != "tool"]
    for n, start in enumerate(starts):  # oldest first: the first that fits keeps the most
        trial = {**body, "messages": head + msgs[start:]}
        if count(trial) <= budget:
            return _fill(body, head, starts[n - 1], start, budget, count) if fill and n else trial
    return {**body, "messages": head}


def _fill(
    body: dict[str, Any], head: list[dict[str, Any]], prev: int, start: int, budget: int, count: Count
) -> dict[str, Any]:
    """``head + msgs[start:]``, with the turn ``msgs[prev:start]`` before it when it fits with
    every tool output in it cut to its longest common head length that fits."""
    msgs = body["messages"]
    turn = msgs[prev:start]

    def build(limit: int) -> dict[str, Any]:
        cut = [
            _with_text(m, message_text(m)[:limit] + "\n[… cut]") if m.get("role") == "tool" else m
            for m in turn
        ]
        return {**body, "messages": head + cut + msgs[start:]}

    if any(m.get("role") != "tool" for m in turn[1:]) or count(build(0)) > budget:
        return {**body, "messages": head + msgs[start:]}
    lo, hi = 0, max((len(message_text(m)) for m in turn), default=0)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if count(build(mid)) <= budget:
            lo = mid
        else:
            hi = mid - 1
    return build(lo)
