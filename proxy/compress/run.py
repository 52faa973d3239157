"""The numbers one compaction run decided on, and how it reports its outcome."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from proxy.compress.dates import header_day
from proxy.compress.focus import focus_words
from proxy.compress.policy import CachePrices, Policy, compaction_pays, earlier_is_cheaper
from proxy.compress.protect import protected_groups
from proxy.compress.result import CompactionResult
from proxy.compress.stages import Meter, StageContext, SummarySource
from proxy.compress.summarizer import Summarizer, UpstreamCall

if TYPE_CHECKING:
    from proxy.compress.tokens import TokenCounter
    from proxy.wire import Conversation
    from proxy.wire.base import WireAdapter


@dataclass(frozen=True, slots=True)
class Run:
    """The numbers one ``compress`` call decided on, and how to report its outcome."""

    policy: Policy
    budget: int
    trigger: int
    target: int
    started: float
    summary_to: UpstreamCall | None = None  # where a mode-upstream summary goes
    thread: tuple[str, int] | None = None  # (state key, model turns) once known
    drain: bool = False  # live traffic: drain below the target by the growth per turn
    prices: CachePrices | None = None  # live traffic, cache prices known: may compact early

    @property
    def consider(self) -> int:
        """Under this many tokens a request goes whole: the trigger, or the target when the
        cost model may find an earlier compaction worth it."""
        return self.target if self.prices is not None else self.trigger

    def result(
        self,
        body: dict[str, Any] | None,
        before: int,
        after: int,
        stages: list[tuple[str, int]],
        *,
        factor: float,
        reused_prefix: bool = False,
        note: str | None = None,
    ) -> CompactionResult:
        return CompactionResult(
            body=body,
            compressed=body is not None,
            tokens_before=before,
            tokens_after=after,
            budget=self.budget,
            strategy=self.policy.strategy,
            stages=stages,
            reused_prefix=reused_prefix,
            fits=after <= (self.trigger if reused_prefix or body is None else self.target),
            trigger_tokens=self.trigger,
            target_tokens=self.target,
            note=note,
            duration_ms=(time.perf_counter() - self.started) * 1e3,
            factor=factor,
            thread=self.thread,
        )

    def unchanged(self, tokens: int, note: str | None, factor: float) -> CompactionResult:
        return self.result(None, tokens, tokens, [], note=note, factor=factor)

    def waits(self, ctx: StageContext, keep: int, growth: int, trigger: int) -> bool:
        """Under the trigger with cache prices known, and an early compaction of ``ctx`` does
        not pay by the cost model: send the request as it is. To pay, it must cost less per
        turn than waiting for the trigger, at this conversation's ``growth`` per turn, and less
        than sending whole over the turns to come. (Without prices the trigger alone decides.)"""
        if self.prices is None or ctx.total() > trigger:
            return False
        summary = ctx.summary_raw()
        after = max(ctx.target_raw, keep + summary)
        cached = ctx.fixed_raw + (ctx.slots[0].tokens if ctx.slots else 0) + summary
        size = ctx.total()
        earlier = earlier_is_cheaper(
            self.prices, size=size, after=after, cached=cached, growth=growth, trigger=trigger
        )
        newest = ctx.slots[-1].tokens if ctx.slots else 0
        turns = len(ctx.slots) - 1
        return not (
            earlier
            and compaction_pays(
                self.prices, size=size, newest=newest, after=after, cached=cached, turns=turns
            )
        )


def stage_context(
    counter: TokenCounter,
    summarizer: Summarizer,
    conv: Conversation,
    adapter: WireAdapter,
    model: str,
    agent: str | None,
    policy: Policy,
    target: int,
    summary_to: UpstreamCall | None = None,
) -> StageContext:
    """The stages' working state for ``conv``: its slots, what is protected, and the target in
    raw tokens (``target`` scaled back by the model's factor), and the task's words."""
    enc = counter.encoding(model)
    meter = Meter(counter, enc, conv.api, adapter.message_overhead, adapter.summary_overhead)
    fixed = 3 + sum(meter.text(t) for t in adapter.fixed_texts(conv.body))
    fixed += sum(meter.message(m) for m in conv.head)
    ctx = StageContext.start(
        conv.groups,
        protected_groups(conv.groups, policy),
        meter=meter,
        fixed_raw=fixed,
        target_raw=int(target / counter.factor(model)),
        policy=policy,
        summaries=SummarySource(summarizer, model, agent, summary_to),
        summary=conv.summary,
    )
    ctx.focus = focus_words(task_text(conv))
    # a date header sent as a system message of its own after the system prompt (a session's)
    heads = (header_day(m.text) for m in reversed(conv.head[1:]))
    ctx.head_day = next((day for day in heads if day is not None), None)
    return ctx


def task_text(conv: Conversation) -> str:
    """The task: the text of the conversation's first user message ("" without one)."""
    for group in conv.groups:
        for msg in group.messages:
            if msg.is_user_turn:
                return msg.text
    return ""
