"""(a) Identical large blocks: every earlier copy becomes a short reference to the latest."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from proxy.compress.stages.base import StageContext
from proxy.compress.stages.walk import editable_segments, output_tool


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode(), digest_size=16).digest()


@dataclass(frozen=True)
class DedupeStage:
    name: str = "dedupe"
    min_chars: int = 1200

    async def apply(self, ctx: StageContext) -> None:
        last_seen: dict[bytes, int] = {}  # digest → slot of its newest copy (protected slots too)
        for si, slot in enumerate(ctx.slots):
            for msg in slot.group.messages:
                for seg in msg.segments:
                    if seg.kind in ("text", "tool_output") and len(seg.text) >= self.min_chars:
                        last_seen[_digest(seg.text)] = si
        for si, mi, msg, seg in list(editable_segments(ctx)):
            if len(seg.text) < self.min_chars or last_seen.get(_digest(seg.text), si) == si:
                continue
            tool = output_tool(ctx, si, msg, seg) if seg.kind == "tool_output" else None
            what = f"output of tool {tool}" if tool else f"{msg.role} content"
            note = f"[ctxproxy: duplicate {what} ({ctx.tokens_of(seg.text)} tokens) omitted; identical copy appears later]"
            ctx.edit(si, mi, seg, note)
