"""When a source refreshes next: the interval with ±10 % jitter after a success; exponential
backoff (full jitter, capped at the interval) after failures; never sooner than Retry-After."""

from __future__ import annotations

import random

BACKOFF_BASE_S = 30.0


def next_delay(
    interval: float,
    failures: int,
    retry_after: float | None = None,
    rng: random.Random | None = None,
    base: float = BACKOFF_BASE_S,
) -> float:
    rng = rng or random.Random()
    if failures <= 0:
        return interval * rng.uniform(0.9, 1.1)
    cap = min(interval, base * 2 ** (failures - 1))
    delay = rng.uniform(cap / 2, cap)
    if retry_after is not None:
        delay = max(delay, retry_after)
    return delay


def first_delay(interval: float, age: float | None, refresh_on_start: bool, rng: random.Random) -> float:
    """``refresh_on_start``: within 2 s; else when the last good fetch (``age`` s ago) is due."""
    soon = rng.uniform(0.05, min(2.0, interval))
    if refresh_on_start:
        return soon
    if age is None:
        return interval * rng.uniform(0.9, 1.1)
    return max(soon, interval - age)
