"""(c) Observation masking: old tool results beyond the newest K become a short placeholder."""

from __future__ import annotations

from dataclasses import dataclass

from proxy.compress import code_view, salient
from proxy.compress.focus import names_first
from proxy.compress.stages.base import StageContext
from proxy.compress.stages.walk import editable_segments, output_tool

PLACEHOLDER_NAMES = 16  # names a placeholder lists at most (a file view: defined names first)
VIEW_NAMES = 64
MASK_GAIN = 0.5  # an output is masked only when its placeholder is at most this share of it


def placeholder(tool: str | None, tokens: int, text: str, focus: frozenset[str] = frozenset()) -> str:
    """An output's placeholder: its size and the names it mentions (a file view's names; any
    other output's paths, ids and numbers, those sharing a word with the task first)."""
    found = code_view.view_names(text, VIEW_NAMES)
    if found is None:
        found = names_first(salient.artifacts(text, limit=PLACEHOLDER_NAMES), text, focus, PLACEHOLDER_NAMES)
    mentions = f"; mentions: {', '.join(found)}" if found else ""
    return f"[ctxproxy: output of {tool or 'tool'} omitted ({tokens} tokens){mentions}]"


RECENT_VIEWS = 2  # the newest file views (line-numbered outputs) the cut stage cuts last …
VIEW_SHARE = 0.3  # … and, unless the budget needs it, to no less than this share of the target


def recent_views(ctx: StageContext, n: int = RECENT_VIEWS) -> set[tuple[int, int]]:
    """(slot, message) of the ``n`` newest tool outputs that show a file with line numbers:
    the agent copies its next edit from them, so they are cut only to fit the input budget."""
    found: list[tuple[int, int]] = []
    for si in range(len(ctx.slots) - 1, -1, -1):
        messages = ctx.slots[si].group.messages
        for mi in range(len(messages) - 1, -1, -1):
            msg = messages[mi]
            if msg.results and any(
                s.kind == "tool_output" and code_view.is_code_view(s.text) for s in msg.segments
            ):
                found.append((si, mi))
                if len(found) >= n:
                    return set(found)
    return set(found)


def view_floor(ctx: StageContext) -> int:
    """Tokens a recent file view keeps at least when cut to reach the target (not the budget)."""
    return int(VIEW_SHARE * ctx.target_raw)


@dataclass(frozen=True)
class MaskStage:
    name: str = "mask"

    async def apply(self, ctx: StageContext) -> None:
        results = [
            (si, mi, len(m.results))
            for si, s in enumerate(ctx.slots)
            for mi, m in enumerate(s.group.messages)
            if m.results
        ]
        # the newest ``keep_tool_results`` results, counted as results, not messages (an
        # Anthropic user message carries every result of a turn's parallel calls)
        exempt: set[tuple[int, int]] = set()
        left = ctx.policy.keep_tool_results
        for si, mi, n in reversed(results):
            if left <= 0:
                break
            exempt.add((si, mi))
            left -= n
        for si, mi, msg, seg in list(editable_segments(ctx, kinds=("tool_output",))):
            if ctx.fits():
                return
            if (si, mi) in exempt or seg.text.startswith("[ctxproxy:"):
                continue
            current = next(s for s in ctx.slots[si].group.messages[mi].segments if s.path == seg.path)
            n = ctx.tokens_of(current.text)
            short = placeholder(output_tool(ctx, si, msg, current), n, current.text, ctx.focus)
            if ctx.tokens_of(short) <= n * MASK_GAIN:  # a placeholder near its size loses more than it saves
                ctx.edit(si, mi, current, short)
