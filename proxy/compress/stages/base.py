"""What stages share: the working conversation they edit, how it is measured, and the protocol.

A stage sees only what it needs: the groups (as :class:`Slot`), a :class:`Meter` for token
counts, the budget (``fixed_raw``, ``target_raw``), the policy and, for the summarize stage,
a :class:`SummarySource`. It never sees the request body, the wire adapter or the compactor:
the compactor builds the context (:meth:`StageContext.start`) and renders the result.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

import tiktoken

from proxy.compress.policy import Policy
from proxy.compress.summarizer import Summarizer, UpstreamCall
from proxy.compress.tokens import TokenCounter
from proxy.wire import Group, Message, Segment

# Share of the target the anchored summary keeps at least when the protected turns alone
# overflow it (see StageContext.summary_floor: summarize sizes it so, cut does not shrink it below
# while the request fits its budget).
SUMMARY_FLOOR = 0.125


@dataclass(slots=True)
class Slot:
    """A group in the working conversation, with its protection and its raw token count."""

    group: Group
    protected: bool
    tokens: int


@dataclass(frozen=True, slots=True)
class Meter:
    """Raw (unscaled) token counts for one request: its API, its model's encoding."""

    counter: TokenCounter
    enc: tiktoken.Encoding
    api: str
    message_overhead: int  # tokens the provider adds around every item
    summary_overhead: int  # tokens the anchored summary adds besides its text

    def text(self, text: str) -> int:
        return self.counter.count_text(text, self.enc)

    def message(self, msg: Message) -> int:
        return self.counter.message_raw(msg, self.enc, self.api, self.message_overhead)

    def group(self, group: Group) -> int:
        return sum(self.message(m) for m in group.messages)

    def summary(self, summary: str | None) -> int:
        return self.summary_overhead + self.text(summary) if summary else 0


@dataclass(frozen=True, slots=True)
class SummarySource:
    """Who writes the anchored summary, for which model and agent, and (``mode: upstream``)
    which upstream it is asked of, with the client's credentials."""

    summarizer: Summarizer
    model: str
    agent: str | None = None
    upstream: UpstreamCall | None = None


@dataclass
class StageContext:
    slots: list[Slot]
    meter: Meter
    fixed_raw: int  # body-level texts, head and per-request overhead
    target_raw: int  # the target in raw (unscaled) tokens
    policy: Policy
    summaries: SummarySource
    summary: str | None = None
    protected_overflow: bool = False  # protected part alone exceeds the target
    budget_raw: int = 0  # the input budget in raw tokens (0: the target ÷ the policy's share)
    undrained_raw: int = 0  # the policy's target when a drain lowered ``target_raw`` (0: not drained)
    notes: list[str] = field(default_factory=list)
    focus: frozenset[str] = frozenset()  # the task's words (tool outputs' names rank by them)
    head_day: dt.date | None = None  # the date a header among the leading system messages set
    slot_tokens: int = 0  # running sum of ``slots[i].tokens`` (kept by set_slots/remove/edit)

    @classmethod
    def start(
        cls,
        groups: Iterable[Group],
        protected: set[int],
        *,
        meter: Meter,
        fixed_raw: int,
        target_raw: int,
        policy: Policy,
        summaries: SummarySource,
        summary: str | None = None,
    ) -> StageContext:
        """The context for ``groups`` (indices in ``protected`` are kept verbatim)."""
        ctx = cls([], meter, fixed_raw, target_raw, policy, summaries, summary)
        ctx.set_slots([Slot(g, i in protected, meter.group(g)) for i, g in enumerate(groups)])
        ctx.measure_overflow()
        return ctx

    def measure_overflow(self) -> None:
        """Set :attr:`protected_overflow`: the protected part and the summary alone exceed the target."""
        self.protected_overflow = self.protected_total() + self.summary_raw() > self.target_raw

    def set_slots(self, slots: list[Slot]) -> None:
        self.slots = slots
        self.slot_tokens = sum(s.tokens for s in slots)

    def remove(self, indices: set[int]) -> None:
        """Drop whole groups (they leave the conversation; summarizing is the caller's job)."""
        self.set_slots([s for i, s in enumerate(self.slots) if i not in indices])

    def groups(self) -> tuple[Group, ...]:
        """The working groups, in order (the compactor renders them with :attr:`summary`)."""
        return tuple(s.group for s in self.slots)

    # -- accounting ----------------------------------------------------------------
    def count_message(self, msg: Message) -> int:
        return self.meter.message(msg)

    def count_group(self, group: Group) -> int:
        return self.meter.group(group)

    def summary_raw(self) -> int:
        return self.meter.summary(self.summary)

    def total(self) -> int:
        return self.fixed_raw + self.slot_tokens + self.summary_raw()

    def excess(self) -> int:
        return self.total() - self.target_raw

    def fits(self) -> bool:
        return self.total() <= self.target_raw

    def protected_total(self) -> int:
        return self.fixed_raw + sum(s.tokens for s in self.slots if s.protected)

    def input_budget(self) -> int:
        """The input budget in raw tokens: :attr:`budget_raw`; when unset, the target ÷ the
        policy's target share."""
        return self.budget_raw or int(self.target_raw / max(self.policy.target, 0.05))

    def summary_floor(self) -> int:
        """The room the anchored summary keeps when the protected turns alone overflow the
        target (the request lands above the target whatever is cut): ``SUMMARY_FLOOR`` of the
        target when they just reach it, growing with how far they pass it towards half the
        room they leave under the input budget, but landing the request halfway to the
        trigger at most while they are under it (the other half is the next turns' room to
        grow). Past the trigger every turn compacts anyway: cutting the memory of everything
        dropped would buy nothing. While they fit the target: its eighth all the same (the
        memory of everything dropped is not cut to a header and a count to land on the target),
        halfway from them to the trigger at most (a trigger set close to the target)."""
        floor = int(SUMMARY_FLOOR * self.target_raw)
        budget = self.input_budget()
        keep = self.protected_total() + self.meter.summary_overhead
        trigger = int(self.policy.trigger * budget)
        target = max(self.target_raw, self.undrained_raw)  # (a drain's lower target is in reach)
        if keep < target:
            return max(0, min(floor, (trigger - keep) // 2))
        over = min(1.0, max(0.0, (keep - target) / max(1, trigger - target)))
        room = over * (budget - keep) / 2
        if keep < trigger:  # the request lands halfway to the trigger at most: room to grow
            room = min(room, (trigger - keep) / 2)
        return max(floor, int(room))

    # -- editing ---------------------------------------------------------------------
    def may_edit(self, slot: Slot) -> bool:
        return not slot.protected or self.protected_overflow

    def edit(self, slot_index: int, msg_index: int, segment: Segment, new_text: str) -> None:
        slot = self.slots[slot_index]
        msgs = list(slot.group.messages)
        msgs[msg_index] = msgs[msg_index].edited(segment, new_text)
        group = slot.group.with_messages(tuple(msgs))
        tokens = self.count_group(group)
        self.slot_tokens += tokens - slot.tokens
        self.slots[slot_index] = Slot(group, slot.protected, tokens)

    def tokens_of(self, text: str) -> int:
        return self.meter.text(text)


class Stage(Protocol):
    """One compaction step. Runs only while the conversation is over its target."""

    @property
    def name(self) -> str: ...

    async def apply(self, ctx: StageContext) -> None: ...
