"""A conversation's body seen before: skim only what is new in the next one.

An agent resends its history with each turn, new items appended to the item list. Once a body
has been parsed (after its send) :meth:`Checkpoints.record` keeps its bytes up to the end of
one of its items — the *prefix*: two items before the end of the list where it can, as a client
may still rewrite its newest items — with what the skim reads there: the top-level fields
before the list and the image/file parts of the items in it. Conversations whose bodies start
alike (the agents of one application share a system prompt) keep a prefix each. The next body
that starts with one of them (one ``memcmp``: 10 µs at 400 KB) is read from the prefix's fields and
parts plus a skim of the rest alone, written after a stand-in prefix::

    {"messages":[{}  +  ,{new item},{new item}],"model":"…","stream":true}

Why that reading is the full skim's. The prefix was checked when recorded: closed with ``]}``
it decodes (so it ends inside an array that is the value of a top-level key, after a complete
value), and an extra item ``0`` there fails the item list's type (so that array *is* the item
list, whose items are typed; any other key's value is passed over). Where the prefix might end
is only guessed (the list's ``]`` followed by the next top-level key, ``},{"role"`` before it);
the check is what makes it one. A body that starts with the
prefix is in that same state at its end, and the stand-in ``{"messages":[{}`` leads to the same
state, so the rest decodes after it exactly when the whole body decodes, into the fields after
the list (they override the prefix's, as a repeated key's last value wins) and the new items
(``{}`` has no parts). A repeated item-list key after the prefix only adds parts: never fewer
than the parsed body has.

Near the trigger a prefix also carries its token count (:attr:`Prefix.tokens`, counted after the
send): the next body's estimate is then bounded without parsing it (:meth:`FromPrefix.token_bound`).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import msgspec

from proxy.server.skim import LARGE, Fields, Skim, read, reading
from proxy.wire import get_adapter

HEAD = 64  # the first bytes that name a conversation's entry
MIN_SIZE = LARGE  # smaller bodies skim in a few microseconds anyway
STALE = 64 * 1024  # re-record once this much came after the prefix (and a quarter of the body)
KEEP_BACK = 2  # the prefix stops this many items before the end of the list, where it can
RETRY_EVERY = 16  # a prefix that keeps missing is recorded anew only every so many bodies
PER_HEAD = 8  # conversations remembered per first bytes (the agents of one application)
RECOUNT = 8 * 1024  # near the trigger, a prefix this far behind is recorded (and counted) anew


@dataclass(slots=True)
class Prefix:
    raw: bytes  # the recorded body up to (not including) the comma after one of its items
    fields: Fields  # top-level fields before the item list
    images: int  # image/file parts of the items in it
    items: int  # items in it
    # (encoding, tokens): the token estimate of the prefix closed as a body (``raw + "]}"``),
    # before the model's factor, counted after the send (:meth:`FastPath.count_prefix`)
    tokens: tuple[str, int] | None = None


@dataclass(frozen=True, slots=True)
class FromPrefix:
    """A body read from a recorded prefix it starts with: the skim, and what came after."""

    skim: Skim
    prefix: Prefix
    new_bytes: int  # the body's bytes after the prefix
    new_items: int  # items of the item list read after it (an upper bound of the new ones)
    new_images: int  # image/file parts among them

    def token_bound(self, encoding: str, overhead: int) -> int | None:
        """An upper bound of the body's token estimate before the model's factor, images
        after the prefix left out (the caller prices :attr:`new_images`); None when the prefix
        was not counted with ``encoding``. The prefix's tokens as counted; after it, a text
        token covers at least one byte, and each item adds ``overhead``."""
        counted = self.prefix.tokens
        if counted is None or counted[0] != encoding:
            return None
        return counted[1] + self.new_bytes + self.new_items * overhead


@dataclass(slots=True)
class Head:
    """The prefixes of the conversations whose bodies start with the same first bytes (the
    agents of one application share a system prompt), the most recently used first."""

    prefixes: list[Prefix]
    misses: int = 0  # bodies in a row with these first bytes that started with none of them


class Checkpoints:
    """The prefix of the last recorded body per conversation: up to :data:`PER_HEAD` of them per
    (API, first bytes), at most ``max_items`` and ``max_bytes`` in all (the least recently used
    first bytes go first)."""

    def __init__(self, max_items: int = 64, max_bytes: int = 16 * 1024 * 1024) -> None:
        self.max_items, self.max_bytes = max_items, max_bytes
        self._heads: OrderedDict[tuple[str, bytes], Head] = OrderedDict()
        self._items = 0
        self._bytes = 0

    def __len__(self) -> int:
        return self._items

    def skim(self, api: str, raw: bytes, tail: str) -> tuple[Skim | None, bool]:
        """:meth:`from_prefix`'s skim alone."""
        got, record = self.from_prefix(api, raw, tail)
        return (got.skim if got is not None else None), record

    def from_prefix(self, api: str, raw: bytes, tail: str) -> tuple[FromPrefix | None, bool]:
        """The skim of ``raw`` from a recorded prefix it starts with (None: no such prefix, or
        the rest does not decode after it: the full skim decides), and whether ``raw`` is worth
        recording after its send: no prefix yet; so much came after the prefix that a new one
        pays; or no prefix matched (after a few such misses in a row, only every
        :data:`RETRY_EVERY`-th: a client that rewrites earlier items each turn). A prefix that
        does not match costs one ``memcmp`` that stops at the first differing byte."""
        if len(raw) < MIN_SIZE:
            return None, False
        key = (api, raw[:HEAD])
        head = self._heads.get(key)
        if head is None:
            return None, True
        self._heads.move_to_end(key)
        prefix = next((p for p in head.prefixes if raw.startswith(p.raw)), None)
        if prefix is None:
            head.misses += 1
            return None, head.misses <= 2 or head.misses % RETRY_EVERY == 0
        head.misses = 0
        if head.prefixes[0] is not prefix:
            head.prefixes.remove(prefix)
            head.prefixes.insert(0, prefix)
        stand_in = b'{"' + get_adapter(api).container.encode() + b'":[{}'
        try:
            got = read(api, stand_in + raw[len(prefix.raw) :])
        except msgspec.ValidationError:
            return None, False
        if got is None:
            return None, False
        fields, images, items = got
        new = len(raw) - len(prefix.raw)
        stale = new > STALE and new > len(raw) // 4
        skimmed = reading(api, {**prefix.fields, **fields}, prefix.images + images, tail)
        return FromPrefix(skimmed, prefix, new, items, images), stale

    def due(self, api: str, raw: bytes) -> bool:
        """Whether a body that went down the parsing path under its trigger is worth recording
        after its send: as :meth:`from_prefix` answers (which counted a miss already), and also
        when the prefix it starts with is uncounted or more than :data:`RECOUNT` bytes behind
        (near the trigger, its token bound is only as tight as what came after it)."""
        if len(raw) < MIN_SIZE:
            return False
        head = self._heads.get((api, raw[:HEAD]))
        if head is None:
            return True
        prefix = next((p for p in head.prefixes if raw.startswith(p.raw)), None)
        if prefix is None:
            return head.misses <= 2 or head.misses % RETRY_EVERY == 0
        return prefix.tokens is None or len(raw) - len(prefix.raw) > RECOUNT

    def record(self, api: str, raw: bytes, body: dict[str, Any]) -> Prefix | None:
        """Keep ``raw``'s prefix (``body``: the same bytes, parsed): up to its item list's
        :data:`KEEP_BACK`-th item from the end, where one starts with ``"role"`` (a client may
        still rewrite its newest items, e.g. move a cache breakpoint), else up to its end.
        The prefix kept; None: the item list's end was not found (or not proven) among the few
        places tried."""
        container = get_adapter(api).container
        keys = list(body)
        if container not in keys or not isinstance(body[container], list):
            return None
        after = keys[keys.index(container) + 1 :]  # the list ends before the next key, or the body
        follow = b'"' + after[0].encode() + b'"' if after else b"}"
        end, tries = len(raw), 2  # (each try decodes the body two or four times)
        for _ in range(1000):  # brackets looked at, from the end
            end = raw.rfind(b"]", 0, end)
            if end < 0:
                return None
            rest = raw[end + 1 : end + 1 + len(follow) + 16].lstrip()
            if after:
                if not rest.startswith(b",") or not rest[1:].lstrip().startswith(follow):
                    continue
            elif not rest.startswith(b"}"):
                continue
            prefix = self._earlier(api, raw, end) or self._proven(api, raw[:end])  # (each proves itself)
            if prefix is not None:
                self._keep((api, raw[:HEAD]), prefix, raw)
                return prefix
            tries -= 1
            if not tries:
                return None
        return None

    def _earlier(self, api: str, raw: bytes, end: int) -> Prefix | None:
        """The prefix :data:`KEEP_BACK` items before the item list's end at ``end``, if the
        items there start with ``{"role"`` (tried once: two decodes)."""
        cut = end
        for _ in range(KEEP_BACK):
            at = max(raw.rfind(b'},{"role"', 0, cut), raw.rfind(b'}, {"role"', 0, cut))
            if at < 0:
                return None
            cut = at + 1
        return self._proven(api, raw[:cut])

    @staticmethod
    def _proven(api: str, raw: bytes) -> Prefix | None:
        """``raw`` as a prefix: it ends inside the item list, after a complete item."""
        try:
            closed = read(api, raw + b"]}")
        except msgspec.ValidationError:
            return None
        if closed is None:
            return None
        try:
            read(api, raw + b",0]}")  # an item that is not an object: refused only in the item list
        except msgspec.ValidationError:
            return Prefix(raw, *closed)
        return None

    def _keep(self, key: tuple[str, bytes], prefix: Prefix, raw: bytes) -> None:
        """``prefix`` of ``raw`` first among its first bytes' prefixes, in place of those ``raw``
        starts with (the same conversation's older ones)."""
        head = self._heads.get(key)
        if head is None:
            head = self._heads[key] = Head([])
        self._heads.move_to_end(key)
        kept: list[Prefix] = [prefix]
        gone: list[Prefix] = []
        for p in head.prefixes:
            (gone if raw.startswith(p.raw) else kept).append(p)
        gone += kept[PER_HEAD:]
        head.prefixes = kept[:PER_HEAD]
        self._items += 1 - len(gone)
        self._bytes += len(prefix.raw) - sum(len(p.raw) for p in gone)
        while self._heads and (self._items > self.max_items or self._bytes > self.max_bytes):
            _, oldest = self._heads.popitem(last=False)
            self._items -= len(oldest.prefixes)
            self._bytes -= sum(len(p.raw) for p in oldest.prefixes)
