"""(c) Observation masking: old tool results beyond the newest K become a short placeholder."""

from __future__ import annotations

from dataclasses import dataclass

from proxy.compress import salient
from proxy.compress.stages.base import StageContext
from proxy.compress.stages.walk import editable_segments


def placeholder(tool: str | None, tokens: int, text: str) -> str:
    found = salient.artifacts(text, limit=16)
    mentions = f"; mentions: {', '.join(found)}" if found else ""
    return f"[ctxproxy: output of {tool or 'tool'} omitted ({tokens} tokens){mentions}]"


@dataclass(frozen=True)
class MaskStage:
    name: str = "mask"

    async def apply(self, ctx: StageContext) -> None:
        results = [
            (si, mi) for si, s in enumerate(ctx.slots) for mi, m in enumerate(s.group.messages) if m.results
        ]
        exempt = set(results[-ctx.policy.keep_tool_results :]) if ctx.policy.keep_tool_results > 0 else set()
        for si, mi, msg, seg in list(editable_segments(ctx, kinds=("tool_output",))):
            if ctx.fits():
                return
            if (si, mi) in exempt or seg.text.startswith("[ctxproxy:"):
                continue
            current = next(s for s in ctx.slots[si].group.messages[mi].segments if s.path == seg.path)
            n = ctx.tokens_of(current.text)
            short = placeholder(msg.tool_name, n, current.text)
            if ctx.tokens_of(short) < n:
                ctx.edit(si, mi, current, short)
