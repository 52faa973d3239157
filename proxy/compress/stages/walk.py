"""Iterate over the editable segments of a working conversation."""

from __future__ import annotations

from collections.abc import Iterator

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
