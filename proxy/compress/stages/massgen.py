"""(d) MassGen-aware sections: compress ``<CONVERSATION_HISTORY>``, keep the original message and
every ``<agentN.M>`` label verbatim, shorten answer bodies only if still needed."""

from __future__ import annotations

from dataclasses import dataclass

from proxy.compress.stages.base import StageContext
from proxy.compress.stages.massgen_text import (
    compress_history,
    history_turns,
    is_massgen,
    shorten_answers,
)
from proxy.compress.stages.walk import editable_segments

__all__ = ["MassGenStage", "compress_history", "history_turns", "is_massgen", "shorten_answers"]


@dataclass(frozen=True)
class MassGenStage:
    name: str = "massgen"

    async def apply(self, ctx: StageContext) -> None:
        for step in (compress_history, shorten_answers):
            for si, mi, _msg, seg in list(editable_segments(ctx, kinds=("text",), protected=True)):
                if ctx.fits():
                    return
                current = next(s for s in ctx.slots[si].group.messages[mi].segments if s.path == seg.path)
                if not is_massgen(current.text):
                    continue
                new = step(current.text, ctx.excess(), ctx.tokens_of)
                if new != current.text:
                    ctx.edit(si, mi, current, new)
