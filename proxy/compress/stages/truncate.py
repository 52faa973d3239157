"""(b) Head + tail truncation of any single huge tool output in the compressible middle."""

from __future__ import annotations

from dataclasses import dataclass

from proxy.compress.stages.base import StageContext
from proxy.compress.stages.text_ops import shrink_to
from proxy.compress.stages.walk import editable_segments, output_tool


@dataclass(frozen=True)
class TruncateStage:
    name: str = "truncate"
    min_cap_tokens: int = 1024
    cap_fraction: float = 0.08  # of the target: no single old output may take more

    async def apply(self, ctx: StageContext) -> None:
        cap = max(self.min_cap_tokens, int(ctx.target_raw * self.cap_fraction))
        for si, mi, msg, seg in list(editable_segments(ctx, kinds=("tool_output",))):
            if ctx.fits():
                return
            if len(seg.text) < cap:  # fewer characters than the cap: cannot be over it
                continue
            n = ctx.tokens_of(seg.text)
            if n > cap:
                tool = output_tool(ctx, si, msg, seg)
                label = f"{tool} output" if tool else "tool output"
                ctx.edit(si, mi, seg, shrink_to(seg.text, cap, ctx.tokens_of, label, ctx.focus))
