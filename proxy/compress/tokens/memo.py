"""The counter's memo: text key → token count, bounded."""

from __future__ import annotations

from collections.abc import Iterator


class BoundedMemo:
    """At most ``maxsize`` entries, in two generations of ``maxsize // 2``.

    New entries go into the young generation; when it is full, the old one is dropped and the
    young one becomes old. A hit in the old generation copies the entry into the young one, so
    an entry used at least once per ``maxsize // 2`` insertions stays (a resent history's items,
    counted again on every turn), while texts seen once (fresh short conversations) go after
    two generations. That keeps what is used with half the entries a first-in-first-out memo
    needs, and costs one or two dict lookups, no bookkeeping per hit.

    Lookups take no lock (a dict lookup is atomic); callers serialise :meth:`put`. A race
    between a lookup's copy and a rotation can only lose an entry: a later miss, never a
    wrong count. ``hits`` and ``misses`` count :meth:`get` answers (for the benchmarks).
    """

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._generation = max(1, maxsize // 2)
        self._young: dict[int, int] = {}
        self._old: dict[int, int] = {}
        self.hits = 0
        self.misses = 0

    def get(self, key: int) -> int | None:
        value = self._young.get(key)
        if value is None:
            value = self._old.get(key)
            if value is None:
                self.misses += 1
                return None
            self._add(key, value)
        self.hits += 1
        return value

    def put(self, key: int, value: int) -> None:
        self._add(key, value)

    def _add(self, key: int, value: int) -> None:
        if len(self._young) >= self._generation and key not in self._young:
            self._old, self._young = (self._young if self.maxsize > 1 else {}), {}
        self._young[key] = value

    def __contains__(self, key: object) -> bool:
        return key in self._young or key in self._old

    def __len__(self) -> int:
        return len(self._young) + len(self._old)

    def __iter__(self) -> Iterator[int]:
        yield from self._young
        yield from (k for k in self._old if k not in self._young)

    def items(self) -> Iterator[tuple[int, int]]:
        for key in self:
            yield key, self._young[key] if key in self._young else self._old[key]
