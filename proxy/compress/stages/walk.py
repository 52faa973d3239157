"""Iterate over the editable segments of a working conversation; whose output a segment is."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import orjson

from proxy.compress.stages.base import StageContext
from proxy.wire import Message, Segment


def editable_segments(
    ctx: StageContext, *, kinds: tuple[str, ...] = ("text", "tool_output"), protected: bool = False
) -> Iterator[tuple[int, int, Message, Segment]]:
    """(slot index, message index, message, segment), oldest first.

    Protected slots are included only when ``protected`` is set and the protected part
    alone overflows the target. Opaque messages (thinking, encrypted reasoning) never are.
    """
    for si, slot in enumerate(ctx.slots):
        if slot.protected and not (protected and ctx.protected_overflow):
            continue
        for mi, msg in enumerate(slot.group.messages):
            if msg.opaque:
                continue
            for seg in msg.segments:
                if seg.editable and seg.kind in kinds:
                    yield si, mi, msg, seg


def call_name(text: str) -> str | None:
    """The tool name a call segment holds (``{"name": …}``), if it says."""
    try:
        call = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    return str(call["name"]) if isinstance(call, dict) and "name" in call else None


def call_names(messages: Iterable[Message]) -> dict[str, str]:
    """Call id → tool name, for every call these messages make."""
    out: dict[str, str] = {}
    for m in messages:
        found = [call_name(s.text) for s in m.segments if s.kind == "tool_call"]
        if m.calls and len(found) == len(m.calls):
            out.update((cid, n) for cid, n in zip(m.calls, found, strict=True) if n)
    return out


def result_parts(msg: Message) -> list[tuple[str | None, list[Segment]]]:
    """A message's tool outputs by the result each answers: (result id, its segments). One
    message may carry several results (an Anthropic or Gemini user message); the segments of
    one result share the path of its block (``("content", i, …)``). The id is ``None`` when
    the parts and the results do not pair one to one."""
    parts: dict[tuple[str | int, ...], list[Segment]] = {}
    for s in msg.segments:
        if s.kind == "tool_output":
            parts.setdefault(s.path[:2] if len(msg.results) > 1 else (), []).append(s)
    ids: list[str | None] = list(msg.results) if len(msg.results) == len(parts) else [None] * len(parts)
    return list(zip(ids, parts.values(), strict=True))


def output_tool(ctx: StageContext, si: int, msg: Message, seg: Segment) -> str | None:
    """The name of the tool whose output ``seg`` is (its own call's, when a message carries
    the results of several calls), else the message's."""
    if len(msg.results) <= 1:
        return msg.tool_name
    rid = next((r for r, segs in result_parts(msg) if any(s.path == seg.path for s in segs)), None)
    return call_names(ctx.slots[si].group.messages).get(rid or "") or msg.tool_name
