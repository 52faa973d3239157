"""The incremental request estimate: recognising a resent history so only new items are counted.

A conversation's request is recognised by its first two items plus ~20 sampled item
signatures (``scope``, e.g. the agent id, separates look-alike conversations). What is kept
per conversation is three integers, never an item.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MIN_ITEMS = 8  # shorter requests are simply counted in full


def item_sig(item: Any) -> tuple[Any, ...]:
    """A cheap O(1) signature of one wire item (role/type, content length and ends, ids)."""
    if not isinstance(item, dict):
        return (type(item).__name__,)
    content = item.get("content")
    if content is None:
        content = item.get("output", item.get("arguments"))
    if isinstance(content, str):
        body: tuple[Any, ...] = (len(content), content[:16], content[-16:])
    elif isinstance(content, list):
        body = (len(content), len(content[-1]) if content and isinstance(content[-1], dict) else 0)
    else:
        body = ()
    return (
        _scalar(item.get("role") or item.get("type")),
        body,
        _scalar(item.get("tool_call_id") or item.get("call_id")),
        len(item),
    )


def _scalar(value: Any) -> Any:
    """Signatures are dict keys: a list or object where a string belongs stands as its type name."""
    return value if value is None or isinstance(value, str | int | float) else type(value).__name__


def sample_positions(n: int) -> list[int]:
    return sorted({0, 1, 2, n - 3, n - 2, n - 1, *(n * k // 16 for k in range(1, 16))} - {-1, -2, -3})


def samples_hash(items: list[Any], n: int) -> int | None:
    """One hash of the signatures of the first ``n`` items at ``sample_positions(n)``; None when
    a sampled item carries unhashable ids (malformed input: it is then never reused)."""
    try:
        return hash(tuple(item_sig(items[p]) for p in sample_positions(n)))
    except TypeError:
        return None


class ItemSamples:
    """One item list's sampled signatures, hashed once per length: the memos a request meets
    (its depth check, its estimate) compare and remember the same samples of the same items."""

    __slots__ = ("_by_n", "items")

    def __init__(self, items: list[Any]) -> None:
        self.items = items
        self._by_n: dict[int, int | None] = {}

    def hash(self, n: int) -> int | None:
        """:func:`samples_hash` of the first ``n`` items."""
        try:
            return self._by_n[n]
        except KeyError:
            value = self._by_n[n] = samples_hash(self.items, n)
            return value


def _samples(items: list[Any], n: int, given: ItemSamples | None) -> int | None:
    return given.hash(n) if given is not None and given.items is items else samples_hash(items, n)


@dataclass(frozen=True, slots=True)
class Seen:
    """What is remembered of a conversation's last request: size, samples, raw item tokens."""

    n: int
    samples: int | None  # hash of the item signatures at ``sample_positions(n)``
    raw_items: int


ConversationKey = tuple[str, str, str, int]


class SeenConversations:
    """The last request of up to ``max_size`` conversations (all forgotten at once when full)."""

    def __init__(self, max_size: int = 4096) -> None:
        self.max_size = max_size
        self._seen: dict[ConversationKey, Seen] = {}

    def __len__(self) -> int:
        return len(self._seen)

    def records(self) -> list[Seen]:
        return list(self._seen.values())

    @staticmethod
    def key(api: str, encoding: str, scope: str, items: list[Any]) -> ConversationKey:
        """Which conversation ``items`` (at least two) belong to."""
        return (api, encoding, scope, hash((item_sig(items[0]), item_sig(items[1]))))

    def resume(
        self, key: ConversationKey, items: list[Any], samples: ItemSamples | None = None
    ) -> tuple[int, int]:
        """(index of the first item not counted before, raw tokens of the items before it):
        (0, 0) unless ``items`` starts with the conversation's last request. ``samples``:
        ``items``' hashes, shared with the request's other memos."""
        seen = self._seen.get(key)
        if (
            seen is None
            or seen.samples is None
            or len(items) < seen.n
            or _samples(items, seen.n, samples) != seen.samples
        ):
            return 0, 0
        return seen.n, seen.raw_items

    def remember(
        self,
        key: ConversationKey,
        items: list[Any],
        raw_items: int,
        resumed_at: int = 0,
        samples: ItemSamples | None = None,
    ) -> None:
        """Record ``items`` as the conversation's last request (``resumed_at``: what
        :meth:`resume` answered for them; a resend keeps the samples it just compared)."""
        n = len(items)
        seen = self._seen.get(key)
        if resumed_at == n and seen is not None and seen.n == n:
            hashed = seen.samples  # nothing new: no second hash of the same samples
        else:
            hashed = _samples(items, n, samples)
        if seen is None and len(self._seen) >= self.max_size:
            self._seen.clear()
        self._seen[key] = Seen(n, hashed, raw_items)
