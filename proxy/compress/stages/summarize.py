"""(e) Fold the oldest compressible groups into one anchored summary after the stable prefix."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, replace

import structlog

from proxy.compress.call_text import describe_call, text_calls
from proxy.compress.digest import names_tokens, span_names
from proxy.compress.digest_units import last_day
from proxy.compress.layers import append_layer, flatten
from proxy.compress.speakers import display_name
from proxy.compress.stages.base import Slot, StageContext
from proxy.compress.stages.recent_transcript import fold_recent_transcripts
from proxy.compress.stages.task_transcript import fold_task_transcript
from proxy.compress.stages.walk import call_names, result_parts
from proxy.compress.summarizer import DroppedMessage, SummaryRequest
from proxy.compress.summary_format import MAX_ARTIFACTS
from proxy.wire import Group, Message

log = structlog.get_logger("ctxproxy.compress")


def _outputs(m: Message, names: dict[str, str]) -> list[DroppedMessage]:
    """A message's tool outputs, one dropped ``tool`` message per result it answers, whatever
    role the wire gives it (an Anthropic or Gemini user message carries several results)."""
    out: list[DroppedMessage] = []
    for rid, segs in result_parts(m):
        text = "\n".join(s.text for s in segs if s.text)
        if text:
            out.append(DroppedMessage("tool", text, names.get(rid or "") or m.tool_name))
    return out


def dropped_messages(groups: list[Group]) -> tuple[DroppedMessage, ...]:
    """The groups' messages as the summarizer reads them: a tool output is a ``tool`` message
    (not the user message an Anthropic result rides in), with its tool's name."""
    out: list[DroppedMessage] = []
    names: dict[str, str] = {}
    for g in groups:
        for m in g.messages:
            if m.opaque:
                continue
            names.update(call_names([m]))
            calls = tuple(describe_call(s.text) for s in m.segments if s.kind == "tool_call")
            if m.role != "tool":
                out += _outputs(m, names)
            parts = [
                s.text
                for s in m.segments
                if s.kind == "text" or (m.role == "tool" and s.kind == "tool_output")
            ]
            if m.calls and not calls:  # calls written as text (an agent without native tool calls)
                parts, calls = text_calls(parts)
            if calls:
                parts.append("Called " + "; ".join(calls) + ".")
            text = "\n".join(p for p in parts if p)
            name = m.raw.get("name") if m.role in ("user", "assistant") else None
            if text:
                speaker = display_name(name) if isinstance(name, str) else None
                out.append(DroppedMessage(m.role, text, m.tool_name, speaker, calls=calls))
    return tuple(out)


def request_key(
    previous: str | None,
    dropped: tuple[DroppedMessage, ...],
    max_tokens: int,
    start_day: dt.date | None = None,
) -> str:
    h = hashlib.blake2b(digest_size=16)
    h.update((previous or "").encode())
    if start_day is not None:  # (absent: the key of a request that had none stays as it was)
        h.update(b"\x01" + start_day.isoformat().encode())
    for d in dropped:
        h.update(
            b"\x00" + d.role.encode() + b"\x00" + (d.tool_name or "").encode() + b"\x00" + d.text.encode()
        )
    h.update(str(max_tokens).encode())
    return h.hexdigest()


# Digest tokens per raw token a span needs to be well covered: conversation text is dense in
# facts, tool output much less (its artifacts are kept by the trail and the mask stage).
DENSITY_TEXT = 0.25
DENSITY_TOOL = 0.08
# A digest this much under its budget (and a span that much of the target) gives the room back
# to the newest groups of its span: they stay verbatim (see :meth:`SummarizeStage._refill`).
REFILL_SHARE = 0.2
REFILL_MAX_SPAN = 200_000  # tokens of span at most: its second digest costs ≲ 0.5 s


def span_density(slots: list[Slot], text: int = 0) -> float:
    """Digest tokens per raw token for these groups and ``text`` more tokens of conversation
    (tool output weighs less)."""
    tool = 0
    for slot in slots:
        if slot.group.kind == "tool":
            tool += slot.tokens
        else:
            text += slot.tokens
    return (DENSITY_TEXT * text + DENSITY_TOOL * tool) / max(1, text + tool)


@dataclass(frozen=True)
class SummarizeStage:
    """Summary budget by need: ``ρ/(1−ρ) × excess / target`` of the target, within the policy's
    ``summary_min``/``summary_max``, where ρ is the digest density the dropped span needs.

    A summary of size ``s`` lets ``s/ρ`` raw tokens go, so a conversation ``excess`` tokens over
    its target needs ``s = ρ (excess + s)``: a long chat (large excess, dense text) gets a large
    digest beside a short verbatim tail; a tool loop just over its target keeps more of its
    recent tool results verbatim and a small summary.
    """

    name: str = "summarize"
    min_tokens: int = 160
    max_tokens: int = 60_000

    def budget(self, ctx: StageContext, folded: int = 0) -> int:
        """``folded``: tokens the span holds besides its groups (a task transcript's)."""
        wanted, room = self._wanted_and_room(ctx, folded)
        # Never more than the room the protected turns leave: a summary written to fit is
        # better than one the cut stage has to cut afterwards.
        # (at least its floor: when the protected turns alone overflow the target, the request
        # lands above it rather than lose the memory of everything dropped; see
        # StageContext.summary_floor, an eighth of the target while they fit it).
        return max(self.min_tokens, min(wanted, max(room, ctx.summary_floor())))

    def room_short(self, ctx: StageContext, folded: int = 0) -> int:
        """Tokens the room the protected turns leave falls short of the summary the span needs."""
        wanted, room = self._wanted_and_room(ctx, folded)
        return wanted - room

    def _wanted_and_room(self, ctx: StageContext, folded: int) -> tuple[int, int]:
        """The summary's size by need, and the room the protected turns leave it."""
        candidates = [s for s in ctx.slots if not s.protected]
        rho = span_density(candidates, folded)
        excess = max(0, ctx.excess() + ctx.summary_raw() + folded)
        need = rho / (1 - rho) * excess / max(1, ctx.target_raw)
        share = min(ctx.policy.summary_max, max(ctx.policy.summary_min, need))
        room = ctx.target_raw - ctx.protected_total() - ctx.meter.summary_overhead
        return min(self.max_tokens, int(ctx.target_raw * share)), room

    def layer_budget(self, ctx: StageContext) -> int | None:
        """Room for a new layer after the earlier summary, kept byte for byte: by need for the
        new span alone; ``None`` (fold every layer into one summary) when there is no earlier
        summary or the layers would pass the policy's summary share."""
        if ctx.summary is None:
            return None
        rho = span_density([s for s in ctx.slots if not s.protected])
        layer = max(self.min_tokens // 2, int(rho / (1 - rho) * max(0, ctx.excess())))
        if ctx.summary_raw() + layer > ctx.policy.summary_max * ctx.target_raw:
            return None
        return layer

    @staticmethod
    def under_policy_target(ctx: StageContext) -> bool:
        """The protected turns and the earlier summary fit the policy's own target (a drain
        may have lowered ``ctx.target_raw`` below them)."""
        return ctx.protected_total() + ctx.summary_raw() <= max(ctx.target_raw, ctx.undrained_raw)

    async def apply(self, ctx: StageContext) -> None:
        layer = self.layer_budget(ctx)
        before, task = ctx.total(), ctx.slots[0] if ctx.slots else None
        transcript = fold_task_transcript(ctx) if layer is None else ()
        if transcript:
            ctx.measure_overflow()
        cap = self.budget(ctx, before - ctx.total()) if layer is None else layer
        candidates = [i for i, s in enumerate(ctx.slots) if not s.protected]
        if not candidates and not transcript:
            return
        excess = ctx.total() - (ctx.summary_raw() if layer is None else 0) + cap - ctx.target_raw
        chosen: list[int] = []
        freed = 0
        for i in candidates:
            if freed >= excess:
                break
            chosen.append(i)
            freed += ctx.slots[i].tokens
        dropped = transcript + dropped_messages([ctx.slots[i].group for i in chosen])
        if not ctx.protected_overflow or (layer is not None and self.under_policy_target(ctx)):
            # the names of folded tool outputs get room of their own (not when the newest turns
            # alone overflow the target, unless a drain lowered it and the span is a new layer,
            # whose budget is its span's need alone, with no floor); the span grows to pay for
            # that room too, or the drop stage would take the next groups whole, names and all
            names = span_names(dropped, ctx.focus)
            trail = names_tokens(names[-MAX_ARTIFACTS:], ctx.tokens_of)  # the trail holds this many at most
            more = candidates[len(chosen) :]
            while more and freed < excess + trail:  # a joining group's new names, as it joins
                chosen.append(more.pop(0))
                freed += ctx.slots[chosen[-1]].tokens
                joined = dropped_messages([ctx.slots[chosen[-1]].group])
                dropped += joined
                new = span_names(joined, ctx.focus, seen=set(names))
                if new and len(names) < MAX_ARTIFACTS:
                    trail += ctx.tokens_of(", " + ", ".join(new[: MAX_ARTIFACTS - len(names)]))
                names += new
            cap += names_tokens(names, ctx.tokens_of)  # = names_need(dropped)
        elif layer is None:
            # the newest turns alone overflow the target: the names get what is left of the
            # summary's floor (StageContext.summary_floor), not room of their own
            names = span_names(dropped, ctx.focus)[-MAX_ARTIFACTS:]
            cap = max(cap, min(cap + names_tokens(names, ctx.tokens_of), ctx.summary_floor()))
        recent: dict[int, Slot] = {}
        if layer is None and len(chosen) == len(candidates):
            # every older group is in the span: the recent transcripts after it may join it
            base = self.budget(ctx, before - ctx.total())
            more_lines, recent = fold_recent_transcripts(
                ctx,
                chosen[-1] + 1 if chosen else 1,
                dropped,
                lambda: self.room_short(ctx, before - ctx.total()),
            )
            if recent:
                dropped += more_lines
                ctx.measure_overflow()
                cap += self.budget(ctx, before - ctx.total()) - base
        before_span = range(1) if transcript else range(chosen[0])  # (the task's lines before its transcript)
        start_day = last_day(dropped_messages([ctx.slots[i].group for i in before_span])) or ctx.head_day
        previous = flatten(ctx.summary) if layer is None else None
        request = SummaryRequest(
            previous=previous,
            dropped=dropped,
            max_tokens=cap,
            model=ctx.summaries.model,
            agent=ctx.summaries.agent,
            key=request_key(previous, dropped, cap, start_day),
            upstream=ctx.summaries.upstream,
            start_day=start_day,
            focus=ctx.focus,
        )
        try:
            summary = await ctx.summaries.summarizer.summarize(request)
        except Exception as exc:  # the cheaper stages after this one still apply
            log.warning(
                "compaction.summarizer_failed",
                summarizer=ctx.summaries.summarizer.name,
                error=type(exc).__name__,
            )
            ctx.notes.append(f"summarizer-failed:{type(exc).__name__}")
            if transcript and task is not None:  # the task's transcript stays where it was
                ctx.set_slots([task, *ctx.slots[1:]])
            if recent:  # … and so do the recent ones
                ctx.set_slots([recent.get(i, s) for i, s in enumerate(ctx.slots)])
            ctx.measure_overflow()
            return
        if layer is None and not transcript and not recent:
            summary, chosen = await self._refill(ctx, request, summary, chosen)
        ctx.remove(set(chosen))
        ctx.summary = summary if layer is None or ctx.summary is None else append_layer(ctx.summary, summary)

    async def _refill(
        self, ctx: StageContext, request: SummaryRequest, summary: str, chosen: list[int]
    ) -> tuple[str, list[int]]:
        """A digest that came out well under its budget held every unit of its span (a stamp on
        each short message, reactions and fillers: less to keep than the span's size promised).
        The room it left keeps the newest of the chosen groups verbatim instead, and the digest is
        made once more for the shorter span (the extractive digest only: it costs no model call).
        Returns the summary and the groups it stands for."""
        if ctx.summaries.summarizer.name != "extractive" or len(chosen) < 2:
            return summary, chosen
        span = sum(ctx.slots[i].tokens for i in chosen)
        if span > REFILL_MAX_SPAN:
            return summary, chosen  # a second digest of a huge span would cost seconds
        spare = request.max_tokens - ctx.meter.summary(summary)
        if spare < REFILL_SHARE * request.max_tokens or spare < REFILL_SHARE * ctx.target_raw / 4:
            return summary, chosen
        kept = 0
        fewer = list(chosen)
        while len(fewer) > 1 and kept + ctx.slots[fewer[-1]].tokens <= spare:
            kept += ctx.slots[fewer.pop()].tokens
        if len(fewer) == len(chosen):
            return summary, chosen
        dropped = dropped_messages([ctx.slots[i].group for i in fewer])
        key = request_key(request.previous, dropped, request.max_tokens, request.start_day)
        try:
            shorter = await ctx.summaries.summarizer.summarize(replace(request, dropped=dropped, key=key))
        except Exception:  # the first digest stands
            return summary, chosen
        size = ctx.meter.summary(shorter)
        after = ctx.total() - ctx.summary_raw() - (span - kept) + size
        if size + kept > request.max_tokens or after > ctx.target_raw:
            return summary, chosen  # the kept groups and the new digest fit its budget and the target
        return shorter, fewer
