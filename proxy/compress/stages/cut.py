"""(g) Last resort: cut the middle of the largest remaining message, with a marker.

The task (the first user message), the newest user turn and the newest assistant reply with
its tool outputs are not cut: landing over the target is better than losing words of the task.
They give way only when the request would not fit the input budget at all (``budget_raw``; a
drained target is not the budget);
MassGen messages still lose answer bodies and history (their labels and original message stay).
"""

from __future__ import annotations

from dataclasses import dataclass

from proxy.compress.digest import span_names
from proxy.compress.layers import shrink_newest
from proxy.compress.protect import verbatim_groups
from proxy.compress.stages.base import StageContext
from proxy.compress.stages.mask import recent_views, view_floor
from proxy.compress.stages.massgen_text import compress_history, is_massgen, shorten_answers
from proxy.compress.stages.summarize import dropped_messages
from proxy.compress.stages.summary_cut import shrink_summary
from proxy.compress.stages.text_ops import shrink_to
from proxy.compress.stages.transcript_fold import fold_off_loop
from proxy.compress.stages.walk import editable_segments
from proxy.compress.summary_format import with_names
from proxy.wire import Group

_FLOOR = 32  # tokens a cut message keeps at least
_SUMMARY_FLOOR = 40  # tokens an over-budget summary is cut down to at most (its header, marker, count)


def hard_overflow(ctx: StageContext) -> bool:
    """The request would not fit the input budget (:meth:`StageContext.input_budget`)."""
    return ctx.total() > ctx.input_budget()


def whole_slots(ctx: StageContext) -> set[int]:
    """Slots kept whole: the task, the newest user turn and the newest assistant reply with its
    tool outputs (:func:`proxy.compress.protect.verbatim_groups`)."""
    users = [i for i, s in enumerate(ctx.slots) if s.group.has_user_turn]
    task_protected = bool(users) and ctx.slots[users[0]].protected
    return verbatim_groups([s.group for s in ctx.slots], task_protected)


@dataclass(frozen=True)
class CutStage:
    name: str = "cut"

    async def apply(self, ctx: StageContext) -> None:
        tried: set[tuple[int, int, tuple[str | int, ...]]] = set()
        whole = whole_slots(ctx)
        views = recent_views(ctx)  # the newest file views give way last, and only so far
        while not ctx.fits():
            hard = hard_overflow(ctx)
            candidates = [
                (ctx.tokens_of(seg.text), si, mi, seg)
                for si, mi, _m, seg in editable_segments(ctx, protected=True)
                if (si, mi, seg.path) not in tried and (hard or si not in whole or is_massgen(seg.text))
            ]
            # The task and the newest turn give way last: only once nothing else is left to cut.
            rest = [c for c in candidates if (c[1] not in whole or is_massgen(c[3].text)) and c[0] > _FLOOR]
            rest = [c for c in rest if (c[1], c[2]) not in views] or rest
            if not candidates:
                break
            if not rest and hard and _drop_recent(ctx, whole):
                whole, tried = whole_slots(ctx), set()  # indices moved: start again
                continue
            if not rest and hard and _summary_first(ctx):  # the summary gives way before the task
                continue
            size, si, mi, seg = max(rest or candidates, key=lambda c: (c[0], -c[1], -c[2]))
            tried.add((si, mi, seg.path))
            if size <= _FLOOR:
                break
            need = ctx.excess() + 8
            if si in whole:  # the task or the newest turn: cut only what the budget needs
                need = min(need, ctx.total() - ctx.input_budget() + 8)
            if is_massgen(seg.text):  # labels and the original message stay verbatim
                new = compress_history(shorten_answers(seg.text, need, ctx.tokens_of), need, ctx.tokens_of)
            elif seg.kind == "text" and (
                folded := await fold_off_loop(seg.text, need, ctx.tokens_of, ctx.summaries.model)
            ):  # a transcript: its oldest lines condensed, not its middle cut
                new = folded
            else:
                floor = view_floor(ctx) if (si, mi) in views and not hard else _FLOOR
                focus = ctx.focus if seg.kind == "tool_output" else frozenset()  # a tool output's names
                new = shrink_to(seg.text, max(floor, size - need), ctx.tokens_of, focus=focus)
            if new != seg.text:
                ctx.edit(si, mi, seg, new)
        if ctx.summary and not ctx.fits():
            # Only now does the anchored summary give way: it stands for everything dropped.
            size = ctx.tokens_of(ctx.summary)
            # … but, while the request fits its budget, not below its floor
            # (StageContext.summary_floor: an eighth of the target, more when the protected
            # turns alone overflow it): landing above the target beats losing the memory of
            # everything dropped.
            floor = _SUMMARY_FLOOR if hard_overflow(ctx) else max(_SUMMARY_FLOOR, ctx.summary_floor())
            # A drained target is no reason to cut the memory of what was just dropped: the
            # summary gives way only as far as the policy's own target needs.
            excess = ctx.total() - max(ctx.target_raw, ctx.undrained_raw)
            goal = min(size, max(floor, size - excess))
            if goal < size:
                ctx.summary = shrink_newest(ctx.summary, goal, ctx.tokens_of, shrink_summary)


def _drop_recent(ctx: StageContext, whole: set[int]) -> bool:
    """Before the task or the newest turn is cut to fit the budget, the oldest of the other
    recent groups (kept by ``keep_recent_groups``, not required verbatim) goes whole, with its
    tool outputs (pairs stay valid). Whether one went."""
    for i, slot in enumerate(ctx.slots):
        group = slot.group
        if i in whole or group.kind == "system" or group.pinned or group.has_user_turn:
            continue
        ctx.remove({i})
        _keep_names(ctx, group)
        ctx.notes.append("a recent group dropped to fit the input budget")
        return True
    return False


def _keep_names(ctx: StageContext, group: Group) -> None:
    """A recent group dropped to fit the budget leaves the names of its tool outputs on the
    summary's trail, newest last, as a folded group does: what the agent types next. When the
    summary must give way, its trail loses its oldest names first."""
    if ctx.summary and (names := span_names(dropped_messages([group]), ctx.focus)):
        ctx.summary = with_names(ctx.summary, names)


def _summary_first(ctx: StageContext) -> bool:
    """Over the input budget with only the task and the newest turn left to cut: shorten the
    summary (an earlier compaction's, its newest layer first) by what the budget needs, down
    to its floor, before them. False: nothing left to take from it."""
    if not ctx.summary:
        return False
    size = ctx.tokens_of(ctx.summary)
    goal = max(_SUMMARY_FLOOR, size - (ctx.total() - ctx.input_budget() + 8))
    if goal >= size:
        return False
    ctx.summary = shrink_newest(ctx.summary, goal, ctx.tokens_of, shrink_summary)
    return ctx.tokens_of(ctx.summary) < size
