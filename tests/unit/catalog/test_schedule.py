import random

from proxy.catalog.fetch import parse_retry_after
from proxy.catalog.schedule import first_delay, next_delay


def test_success_waits_interval_with_jitter() -> None:
    rng = random.Random(1)
    delays = [next_delay(1000, 0, rng=rng) for _ in range(200)]
    assert all(900 <= d <= 1100 for d in delays) and len(set(delays)) > 100


def test_backoff_grows_and_is_capped() -> None:
    rng = random.Random(2)
    caps = [max(next_delay(3600, n, rng=rng, base=10) for _ in range(50)) for n in (1, 2, 3, 4)]
    assert caps[0] <= 10 < caps[2] <= 40
    assert all(next_delay(60, 20, rng=rng, base=10) <= 60 for _ in range(50))


def test_retry_after_is_honoured() -> None:
    assert next_delay(3600, 1, retry_after=120, rng=random.Random(3), base=10) >= 120


def test_parse_retry_after_forms() -> None:
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


def test_first_delay() -> None:
    rng = random.Random(4)
    assert first_delay(3600, 10, True, rng) <= 2
    assert first_delay(3600, None, False, rng) >= 3240  # never fetched, not asked: one interval
    assert 3500 <= first_delay(3600, 100, False, rng) <= 3600
    assert first_delay(3600, 7200, False, rng) <= 2  # overdue
