"""(f) Drop whole middle groups, oldest first, until the conversation fits."""

from __future__ import annotations

from dataclasses import dataclass

from proxy.compress.stages.base import StageContext


@dataclass(frozen=True)
class DropStage:
    name: str = "drop"

    async def apply(self, ctx: StageContext) -> None:
        excess = ctx.excess()
        gone: set[int] = set()
        dropped = 0
        for i, slot in enumerate(ctx.slots):
            if excess <= 0:
                break
            if not slot.protected:
                gone.add(i)
                excess -= slot.tokens
                dropped += len(slot.group.messages)
        ctx.remove(gone)
        if dropped and ctx.summary is None:
            what = "1 earlier message was" if dropped == 1 else f"{dropped} earlier messages were"
            ctx.summary = f"[ctxproxy: {what} omitted to fit the context window]"
        # An over-budget summary gives way only after the last-resort cut (stages/cut.py).
