"""What the status page needs per request, finer than the Prometheus metrics give it.

- ``answered``: every request the proxy answered on a proxied route, rejected ones included
  (the Prometheus ``ctxproxy_requests_total`` counts forwarded requests only), so the page's
  requests and errors count the same requests.
- the time the proxy added before forwarding (the access log's ``overhead_ms``), counted in
  log-spaced buckets 4 % wide: a percentile read from them is within 2 % of the one computed
  from the recorded durations (the Prometheus histogram has 13 buckets, a factor 2–5 apart).

Counts are cumulative, like Prometheus counters: the status recorder diffs them per bucket.
"""

from __future__ import annotations

import math

RATIO = 1.04  # one bucket's upper bound ÷ its lower bound
_FLOOR_MS = 0.001  # bucket 0 holds everything up to 1 µs
_LOG_RATIO = math.log(RATIO)


def bucket_of(ms: float) -> int:
    """The bucket of a duration in ms: ``[FLOOR·RATIO^(i-1), FLOOR·RATIO^i)``, 0 below the floor."""
    if ms <= _FLOOR_MS:
        return 0
    return int(math.log(ms / _FLOOR_MS) / _LOG_RATIO) + 1


def bucket_value(index: int) -> float:
    """A bucket's representative duration in ms: the geometric middle of its bounds."""
    if index <= 0:
        return _FLOOR_MS
    return _FLOOR_MS * RATIO ** (index - 0.5)


def quantile(q: float, counts: dict[int, float]) -> float | None:
    """The nearest-rank ``q`` quantile (ms) of the durations counted in ``counts`` (index → count)."""
    total = sum(counts.values())
    if total <= 0:
        return None
    rank = max(1.0, math.ceil(q * total - 1e-9))
    seen = 0.0
    for index in sorted(counts):
        seen += counts[index]
        if seen >= rank:
            return bucket_value(index)
    return bucket_value(max(counts))


class RequestTap:
    """Per-process counts (one per :class:`~proxy.observability.metrics.Metrics`)."""

    __slots__ = ("answered", "overhead")

    def __init__(self) -> None:
        self.answered = 0
        self.overhead: dict[int, int] = {}

    def done(self, overhead_ms: float | None) -> None:
        """One request answered; ``overhead_ms``: the time added before forwarding, if it was."""
        self.answered += 1
        if overhead_ms is not None:
            index = bucket_of(overhead_ms)
            self.overhead[index] = self.overhead.get(index, 0) + 1
