"""Money saved per request: the cost model (:mod:`proxy.compress.cost`) fed with each
conversation's previous request, as the client sent it and as the proxy forwarded it.

The expected cached prefix of a request is what it shares with the previous forwarded request
of the same conversation (agent + model + its first two items). Without compaction, a client
that appends to its history would have shared all of its previous request. With compaction,
the prefix is measured item by item against the previous forwarded body (kept as item hashes
for compressed conversations only: a conversation never compacted costs one dict lookup).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import orjson

from proxy.compress.cost import CachePricing, Saving, saving

_MARK = b',"cache_control":{"type":"ephemeral"}'


@dataclass(frozen=True, slots=True)
class Print:
    """Item hashes of a forwarded body and the tokens up to the end of each item."""

    hashes: tuple[int, ...]
    ends: tuple[int, ...]  # ends[i]: tokens of the fixed part + items[: i + 1]

    @classmethod
    def of(cls, items: list[Any], tokens: int, body_bytes: int) -> Print:
        dumped = [orjson.dumps(item) for item in items]
        size = sum(len(d) for d in dumped)
        fixed = max(0, body_bytes - size)  # system / tools / settings: outside the items
        scale = tokens / max(1, body_bytes)
        run, ends = fixed, []
        for d in dumped:
            run += len(d)
            ends.append(int(run * scale))
        # a moved cache breakpoint (the last message's, the next turn) does not change the text
        return cls(tuple(hash(d.replace(_MARK, b"") if _MARK in d else d) for d in dumped), tuple(ends))

    def shared(self, other: Print) -> int:
        """Tokens of the leading items this body shares with ``other`` (0: none)."""
        n = 0
        for a, b in zip(self.hashes, other.hashes, strict=False):
            if a != b:
                break
            n += 1
        return self.ends[n - 1] if n else 0


@dataclass(slots=True)
class _Seen:
    tokens: int  # the client's previous request
    sent: Print | None  # the previous forwarded request when it was compressed


def conversation_key(agent: str, model: str, items: Any) -> int:
    head = items[:2] if isinstance(items, list) else []
    return hash((agent, model, orjson.dumps(head)))


def _first_difference(sent: list[Any], original: list[Any]) -> int:
    n = 0
    for a, b in zip(sent, original, strict=False):
        if a is not b and a != b:
            break
        n += 1
    return n


class Bills:
    """Prices every counted request twice (as sent / as the client wrote it); bounded LRU."""

    def __init__(self, max_conversations: int = 4096) -> None:
        self._seen: OrderedDict[int, _Seen] = OrderedDict()
        self._max = max_conversations

    def price(
        self,
        key: int,
        pricing: CachePricing | None,
        *,
        tokens_before: int,
        tokens_after: int,
        original: list[Any] | None = None,
        sent: list[Any] | None = None,
        sent_bytes: int = 0,
        breakpoints_before: bool = True,
        breakpoints_after: bool = True,
    ) -> Saving | None:
        """``sent``: the forwarded items when the request was compressed (``None``: sent as
        written). ``None`` back when the price is unknown (the memory is updated anyway)."""
        seen = self._seen.get(key)
        if seen is not None:
            self._seen.move_to_end(key)
        elif len(self._seen) >= self._max:
            self._seen.popitem(last=False)
        prev_tokens = seen.tokens if seen is not None else 0
        prefix_before = min(prev_tokens, tokens_before)
        now: Print | None = None
        if sent is not None:
            now = Print.of(sent, tokens_after, sent_bytes)
            if seen is not None and seen.sent is not None:
                prefix_after = now.shared(seen.sent)
            elif original is not None:  # the previous request went whole: a prefix of this one
                k = _first_difference(sent, original)
                prefix_after = min(prefix_before, now.ends[k - 1] if k else 0)
            else:
                prefix_after = 0
        elif seen is not None and seen.sent is not None and original is not None:
            # compressed before, sent whole now (the client rewrote its history)
            prefix_after = Print.of(original, tokens_before, sent_bytes).shared(seen.sent)
        else:
            prefix_after = prefix_before
        self._seen[key] = _Seen(tokens_before, now)
        if pricing is None:
            return None
        return saving(
            pricing,
            tokens_before=tokens_before,
            prefix_before=prefix_before,
            tokens_after=tokens_after,
            prefix_after=prefix_after,
            breakpoints_before=breakpoints_before,
            breakpoints_after=breakpoints_after,
        )
