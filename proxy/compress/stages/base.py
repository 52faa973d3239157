"""What stages share: the mutable compaction context and the Stage protocol."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import tiktoken

from proxy.compress.policy import Policy
from proxy.compress.summarizer import Summarizer
from proxy.compress.tokens import TokenCounter
from proxy.wire import Conversation, Group, Message, Segment
from proxy.wire.base import WireAdapter


@dataclass(slots=True)
class Slot:
    """A group in the working conversation, with its protection and its raw token count."""

    group: Group
    protected: bool
    tokens: int


@dataclass
class StageContext:
    conv: Conversation  # the parsed request (head, body); groups live in ``slots``
    adapter: WireAdapter
    counter: TokenCounter
    enc: tiktoken.Encoding
    model: str
    agent: str | None
    policy: Policy
    summarizer: Summarizer
    slots: list[Slot]
    fixed_raw: int  # body-level texts, head and per-request overhead
    target_raw: int  # the target in raw (unscaled) tokens
    summary: str | None = None
    protected_overflow: bool = False  # protected part alone exceeds the target
    notes: list[str] = field(default_factory=list)
    slot_tokens: int = 0  # running sum of ``slots[i].tokens`` (kept by set_slots/remove/edit)

    def set_slots(self, slots: list[Slot]) -> None:
        self.slots = slots
        self.slot_tokens = sum(s.tokens for s in slots)

    def remove(self, indices: set[int]) -> None:
        """Drop whole groups (they leave the conversation; summarizing is the caller's job)."""
        self.set_slots([s for i, s in enumerate(self.slots) if i not in indices])

    # -- accounting ----------------------------------------------------------------
    def count_message(self, msg: Message) -> int:
        return self.counter.message_raw(msg, self.enc, self.conv.api, self.adapter.message_overhead)

    def count_group(self, group: Group) -> int:
        return sum(self.count_message(m) for m in group.messages)

    def summary_raw(self) -> int:
        if not self.summary:
            return 0
        return self.adapter.summary_overhead + self.counter.count_text(self.summary, self.enc)

    def total(self) -> int:
        return self.fixed_raw + self.slot_tokens + self.summary_raw()

    def excess(self) -> int:
        return self.total() - self.target_raw

    def fits(self) -> bool:
        return self.total() <= self.target_raw

    def protected_total(self) -> int:
        return self.fixed_raw + sum(s.tokens for s in self.slots if s.protected)

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
        return self.counter.count_text(text, self.enc)

    def conversation(self) -> Conversation:
        return self.conv.with_groups(tuple(s.group for s in self.slots), self.summary)


class Stage(Protocol):
    """One compaction step. Runs only while the conversation is over its target."""

    @property
    def name(self) -> str: ...

    async def apply(self, ctx: StageContext) -> None: ...
