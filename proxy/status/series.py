"""A rolling window of time buckets built by diffing cumulative counter snapshots.

A *snapshot* is ``{group: {key: {field: number}}}`` (groups: ``agents``, ``models``, ``total``,
``proxy``), cumulative since the process started. Every ``bucket_s`` the recorder takes one and
stores the difference from the previous one under the bucket's start time (epoch seconds,
aligned to ``bucket_s`` so buckets from several workers or replicas merge by key). Gauges
(in-flight) are kept as their value at the end of the bucket instead of a difference.
"""

from __future__ import annotations

from collections.abc import Iterable

Fields = dict[str, float]
Snap = dict[str, dict[str, Fields]]
Buckets = dict[int, Snap]

GAUGES = frozenset({"in_flight"})

# Agents / models kept per closed bucket: the busiest (by requests, then tokens). The page charts
# the 12 busiest of the window; every key in every bucket (thousands of agents a minute) would
# grow memory with the window. The ``total`` group still counts everyone.
KEYS_PER_BUCKET = 50
_CAPPED = ("agents", "models")


def diff(now: Snap, before: Snap) -> Snap:
    """``now - before``, sparse (zeros left out). A counter that went down was reset (an LRU
    eviction, a restart): its current value counts as the difference."""
    out: Snap = {}
    for group, table in now.items():
        old_table = before.get(group, {})
        for key, fields in table.items():
            old = old_table.get(key, {})
            delta: Fields = {}
            for name, value in fields.items():
                if name in GAUGES:
                    if value:
                        delta[name] = value
                    continue
                d = value - old.get(name, 0)
                if d < 0:
                    d = value
                if d:
                    delta[name] = d
            if delta:
                out.setdefault(group, {})[key] = delta
    return out


def cap(snap: Snap, limit: int = KEYS_PER_BUCKET) -> Snap:
    """``snap`` with at most ``limit`` keys in each of ``agents`` / ``models`` (the busiest)."""
    for group in _CAPPED:
        table = snap.get(group)
        if table is not None and len(table) > limit:
            busiest = sorted(
                table.items(),
                key=lambda kv: (kv[1].get("requests", 0), kv[1].get("tokens_before", 0)),
                reverse=True,
            )[:limit]
            snap[group] = dict(busiest)
    return snap


def add_into(dst: Snap, src: Snap) -> None:
    for group, table in src.items():
        dst_table = dst.setdefault(group, {})
        for key, fields in table.items():
            d = dst_table.setdefault(key, {})
            for name, value in fields.items():
                d[name] = d.get(name, 0) + value


def merge(parts: Iterable[Buckets]) -> Buckets:
    out: Buckets = {}
    for part in parts:
        for ts, snap in part.items():
            add_into(out.setdefault(int(ts), {}), snap)
    return out


def trim(buckets: Buckets, newest: int, bucket_s: float, window: int) -> Buckets:
    oldest = newest - bucket_s * (window - 1)
    return {ts: snap for ts, snap in buckets.items() if ts >= oldest}


def align(t: float, bucket_s: float) -> int:
    return int(t // bucket_s * bucket_s)


class Series:
    """This process's buckets since the last flush, plus the open (current) bucket."""

    def __init__(self, bucket_s: float, window: int, now: float) -> None:
        self.bucket_s = bucket_s
        self.window = window
        self.buckets: Buckets = {}
        self._last: Snap = {}
        self._open = align(now, bucket_s)

    @property
    def open_bucket(self) -> int:
        return self._open

    def close(self, snap: Snap, boundary: float) -> None:
        """The bucket that was open ends at ``boundary``: store what happened in it."""
        delta = diff(snap, self._last)
        if delta:
            add_into(self.buckets.setdefault(self._open, {}), cap(delta))
        self._last = snap
        self._open = align(boundary, self.bucket_s)
        self.buckets = trim(self.buckets, self._open, self.bucket_s, self.window)

    def partial(self, snap: Snap) -> Buckets:
        """Stored buckets plus the open one as it stands now (not stored)."""
        out = merge([self.buckets])
        delta = diff(snap, self._last)
        if delta:
            add_into(out.setdefault(self._open, {}), delta)
        return out

    def take(self) -> Buckets:
        """Hand the stored buckets over (to the shared store) and forget them."""
        out, self.buckets = self.buckets, {}
        return out
