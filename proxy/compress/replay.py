"""The next turn of a compacted conversation in O(new items): a bounded memo of what each
conversation's last replay sent.

A replay applies the stored compaction state to the request and sends the result (see
``remember.py``). Done in full, that parses, counts and renders the whole history on every
turn. After a full replay the compactor remembers, per conversation, what it sent: the output
as positions in the request's item list, indices of the state's edits and a few literal items
(the summary), the token counts of the items as received and as sent, and a keyed hash of the
items it covered. The next request that starts with exactly those items (hashed again: bytes,
no parsing) gets the same output, item for item, with its new items appended verbatim; only
the new items are parsed and counted.

That holds only when the new items leave the earlier groups as they were: they must start a
model turn after a history that ended with the client's turn, and answer no tool call issued
before them; items must parse one by one (``PerItemAdapter``). Anything else (another state,
an edited history, a call answered across the boundary, a request that must compact again)
goes the full way, which records the memo afresh. The output is the full replay's, byte for
byte; tests compare the two.

The hash is Python's (SipHash, keyed per process): the memo never leaves the process.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import orjson
from cachetools import LRUCache

from proxy.compress.invariants import new_violations
from proxy.compress.result import CompactionResult
from proxy.compress.run import Run
from proxy.compress.state import CompactionState, StateStore
from proxy.compress.tokens import TokenCounter
from proxy.compress.tokens.estimate import item_sig
from proxy.wire import Conversation, Message
from proxy.wire.base import PerItemAdapter, WireAdapter

Breakpoints = Callable[[WireAdapter, dict[str, Any], "str | None"], dict[str, Any]]
Source = int | tuple[Any]  # ≥ 0: the request's item; < 0: the state's edit -(i + 1); (x,): x itself
MAX_SEGMENTS = 64  # hashed segments (one per turn) before they are merged into one


@dataclass(frozen=True, slots=True)
class Sent:
    """What the last replay of one conversation sent, in terms of its request's items."""

    state_key: str
    stable: int  # head + first group: the items the state key digests
    state: tuple[int, str]  # (at, prefix_hash): the stored state it applied
    bounds: tuple[int, ...]  # ends of the hashed segments; the last one is the items covered
    hashes: tuple[int, ...]  # one keyed hash per segment
    template: tuple[Source, ...]  # the sent items
    original_raw: int  # raw tokens of the covered items as received
    sent_raw: int  # raw tokens of what was sent for them, the summary included
    issued: frozenset[str]  # tool call ids issued in the covered items
    turns: int  # model turns in the covered items
    model_last: bool  # the covered (or the sent) items end with the model's: the next may join it
    literal_bytes: int  # the literal items' size, serialized
    weight: int = 0  # approximate bytes held (the memo's bound)

    @property
    def covered(self) -> int:
        return self.bounds[-1]


def segment_hashes(items: list[Any], bounds: Sequence[int]) -> tuple[int, ...] | None:
    hashes, start = [], 0
    try:
        for end in bounds:
            hashes.append(hash(orjson.dumps(items[start:end])))
            start = end
    except orjson.JSONEncodeError:
        return None
    return tuple(hashes)


def model_turns_after(messages: Sequence[Message], turns: int, inside: bool) -> tuple[int, bool]:
    """``state.model_turns`` continued over ``messages``: (turns, whether they end in one)."""
    for m in messages:
        is_model = m.role == "assistant"
        turns += int(is_model and not inside)
        inside = is_model
    return turns, inside


def resolve(template: Sequence[Source], items: list[Any], edits: dict[int, Any]) -> list[Any]:
    """The sent items a template stands for, from this request's items and the state's edits."""
    out: list[Any] = []
    for s in template:
        if isinstance(s, tuple):
            out.append(s[0])
        else:
            out.append(items[s] if s >= 0 else edits[-s - 1])
    return out


def weigh(sent: Sent) -> Sent:
    weight = 256 + 40 * len(sent.template) + 80 * len(sent.bounds) + 128 * len(sent.issued)
    return replace(sent, weight=weight + sent.literal_bytes)


class Replays:
    """The replay memo: one :class:`Sent` per conversation, bounded by approximate bytes (LRU)."""

    def __init__(
        self, counter: TokenCounter, store: StateStore, breakpoints: Breakpoints, *, max_bytes: int = 4 << 20
    ) -> None:
        self.counter = counter
        self.store = store
        self.breakpoints = breakpoints
        self._sent: LRUCache[tuple[Any, ...], Sent] = LRUCache(max_bytes, getsizeof=lambda s: s.weight)
        self.hits = 0  # next turns answered from the memo (benchmarks, tests)

    def __len__(self) -> int:
        return len(self._sent)

    @staticmethod
    def slot(api: str, model: str, agent: str | None, items: list[Any]) -> tuple[Any, ...] | None:
        """Where a conversation's memo lives: its first two items' signatures (the state key,
        which needs the first group, is checked on use)."""
        if len(items) < 2:
            return None
        slot = (api, model, agent or "", item_sig(items[0]), item_sig(items[1]))
        try:
            hash(slot)
        except TypeError:
            return None
        return slot

    def _put(self, slot: tuple[Any, ...], sent: Sent) -> None:
        try:
            self._sent[slot] = weigh(sent)
        except ValueError:  # bigger than the whole memo: not kept
            self._sent.pop(slot, None)

    async def next_turn(
        self,
        run: Run,
        adapter: WireAdapter,
        body: dict[str, Any],
        model: str,
        agent: str | None,
    ) -> CompactionResult | None:
        """The replayed request from the memo, or None: take the full way."""
        items = body.get(adapter.container)
        if not isinstance(items, list) or adapter.history_held_upstream(body):
            return None
        slot = self.slot(adapter.api, model, agent, items)
        sent = self._sent.get(slot) if slot is not None else None
        if slot is None or sent is None or len(items) < sent.covered:
            return None
        key = self.store.key(adapter.api, model, agent, items[: sent.stable])
        if key != sent.state_key or segment_hashes(items, sent.bounds) != sent.hashes:
            return None  # another conversation in the slot, or an edited history
        state = await self.store.load(key)
        if state is None or (state.at, state.prefix_hash) != sent.state:
            return None
        m = sent.covered
        new = adapter.parse_items(items[m:]) if len(items) > m else []
        if new and (
            sent.model_last
            or new[0].role != "assistant"
            or any(r in sent.issued for msg in new for r in msg.results)
        ):
            return None
        counter, enc = self.counter, self.counter.encoding(model)
        new_raw = sum(counter.message_raw(msg, enc, adapter.api, adapter.message_overhead) for msg in new)
        fixed = 3 + sum(counter.count_text(t, enc) for t in adapter.fixed_texts(body))
        factor = counter.factor(model)
        before = math.ceil((fixed + sent.original_raw + new_raw) * factor)
        after = math.ceil((fixed + sent.sent_raw + new_raw) * factor)
        if after > run.consider:
            return None  # compacts again: the full way
        try:
            out_items = resolve(sent.template, items, state.edits)
        except (KeyError, IndexError):  # a state that is not the one recorded after all
            return None
        out_items.extend(items[m:])
        out = self.breakpoints(adapter, {**body, adapter.container: out_items}, state.summary)
        if new_violations(adapter.api, body, out):
            return None  # the full way reports it
        turns, model_last = model_turns_after(new, sent.turns, sent.model_last)
        if new:
            self._put(slot, self._extended(sent, items, new, new_raw, turns, model_last))
        self.hits += 1
        run = replace(run, thread=(key, turns))
        return run.result(out, before, after, [], reused_prefix=True, factor=factor)

    @staticmethod
    def _extended(
        sent: Sent, items: list[Any], new: list[Message], new_raw: int, turns: int, model_last: bool
    ) -> Sent:
        m, n = sent.covered, len(items)
        bounds, hashes = (*sent.bounds, n), segment_hashes(items[m:], (n - m,))
        if hashes is not None:  # the covered items' hashes were just checked: only the new ones
            hashes = (*sent.hashes, *hashes)
        if len(bounds) > MAX_SEGMENTS:
            bounds, hashes = (n,), segment_hashes(items, (n,))
        return replace(
            sent,
            bounds=bounds,
            hashes=hashes or (),
            template=(*sent.template, *range(m, n)),
            original_raw=sent.original_raw + new_raw,
            sent_raw=sent.sent_raw + new_raw,
            issued=sent.issued.union(c for msg in new for c in msg.calls),
            turns=turns,
            model_last=model_last,
        )

    def remember(
        self,
        adapter: WireAdapter,
        model: str,
        agent: str | None,
        key: str,
        conv: Conversation,
        working: Conversation,
        rendered: dict[str, Any],
        state: CompactionState,
    ) -> None:
        """Record a full replay: ``conv`` the request, ``working`` it with ``state`` applied,
        ``rendered`` that rendered (before cache breakpoints)."""
        items, sent_items = conv.body.get(adapter.container), rendered.get(adapter.container)
        if not isinstance(items, list) or not isinstance(sent_items, list):
            return
        slot = self.slot(adapter.api, model, agent, items)
        # Items that parse one by one: the new items alone parse as they would in the whole list.
        if slot is None or not isinstance(adapter, PerItemAdapter) or not conv.groups or not working.groups:
            return
        stable = len(conv.head) + len(conv.groups[0].messages)
        hashes = segment_hashes(items, (len(items),))
        if hashes is None or self.store.key(adapter.api, model, agent, items[:stable]) != key:
            return
        positions = {id(x): i for i, x in enumerate(items)}
        edited = {id(x): -i - 1 for i, x in state.edits.items()}
        template: list[Source] = []
        for x in sent_items:
            source = positions.get(id(x))
            source = edited.get(id(x)) if source is None else source
            template.append((x,) if source is None else source)
        counter, enc, api = self.counter, self.counter.encoding(model), adapter.api
        overhead = adapter.message_overhead
        original = conv.messages()
        sent_raw = sum(counter.message_raw(msg, enc, api, overhead) for msg in working.messages())
        if working.summary:
            sent_raw += adapter.summary_overhead + counter.count_text(working.summary, enc)
        turns, model_last = model_turns_after(original, 0, False)
        last_sent = working.messages()[-1]
        sent = Sent(
            state_key=key,
            stable=stable,
            state=(state.at, state.prefix_hash),
            bounds=(len(items),),
            hashes=hashes,
            template=tuple(template),
            original_raw=sum(counter.message_raw(msg, enc, api, overhead) for msg in original),
            sent_raw=sent_raw,
            issued=frozenset(c for msg in original for c in msg.calls),
            turns=turns,
            model_last=model_last or last_sent.role == "assistant",
            literal_bytes=sum(len(orjson.dumps(s[0])) for s in template if isinstance(s, tuple)),
        )
        self._put(slot, sent)
