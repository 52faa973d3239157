"""The status series: bucket diffs, merges, the latency quantile, the page's figures."""

from __future__ import annotations

import base64

import pytest

from proxy.compress.cost import Saving
from proxy.server.stats import Stats, merge_raw
from proxy.status import series, snapshot
from proxy.status.auth import basic_password
from proxy.status.series import Series


def _snap(requests: float, in_flight: float = 0) -> series.Snap:
    return {
        "agents": {"a": {"requests": requests}},
        "proxy": {"all": {"requests": requests, "in_flight": in_flight}},
    }


def test_buckets_hold_differences_aligned_to_the_bucket() -> None:
    s = Series(bucket_s=10, window=3, now=1003.0)
    s.close(_snap(0), 1003.0)  # counting starts
    s.close(_snap(5, in_flight=2), 1010.0)
    s.close(_snap(7), 1020.0)
    assert s.buckets[1000]["agents"]["a"] == {"requests": 5}
    assert s.buckets[1000]["proxy"]["all"] == {"requests": 5, "in_flight": 2}  # a gauge: its value
    assert s.buckets[1010]["agents"]["a"] == {"requests": 2}
    assert s.partial(_snap(10))[1020]["agents"]["a"] == {"requests": 3}  # the open bucket, not stored
    assert 1020 not in s.buckets
    s.close(_snap(10), 1030.0)
    s.close(_snap(10), 1040.0)
    assert sorted(s.buckets) == [1020]  # 1000 and 1010 left the 3-bucket window (1020..1040)


def test_a_counter_that_went_down_counts_from_zero() -> None:
    assert series.diff(_snap(3), _snap(10))["agents"]["a"] == {"requests": 3}


def test_merge_sums_workers_by_bucket() -> None:
    a = {1000: {"agents": {"x": {"requests": 1.0}}}}
    b = {"1000": {"agents": {"x": {"requests": 2.0}, "y": {"requests": 1.0}}}, "1010": {}}
    merged = series.merge([a, b])  # type: ignore[list-item]  # JSON keys arrive as strings
    assert merged[1000]["agents"] == {"x": {"requests": 3.0}, "y": {"requests": 1.0}}
    assert 1010 in merged


def test_quantile_from_fine_buckets_is_within_2_percent_of_the_recorded_durations() -> None:
    from proxy.observability.request_tap import RequestTap, bucket_of

    durations = [0.0005, 0.7, 0.71, 0.9, 1.3, 2.2, 3.1, 5.0, 7.7, 16.7] * 3 + [0.42, 12.5, 16.69]
    tap = RequestTap()
    for ms in durations:
        tap.done(ms)
    tap.done(None)  # a rejected request: answered, no overhead
    assert tap.answered == len(durations) + 1
    fields = {f"lat:{i}": float(n) for i, n in tap.overhead.items()}
    ordered = sorted(durations)
    for q in (0.5, 0.9, 0.99, 1.0):
        true = ordered[max(0, -(-int(q * 1000) * len(ordered) // 1000) - 1)]  # nearest rank
        got = snapshot.quantile(q, fields)
        assert got is not None and abs(got - true) <= 0.02 * true, (q, got, true)
    assert snapshot.quantile(0.99, fields) <= 16.7 * 1.02  # never above the slowest request
    assert snapshot.quantile(0.5, {}) is None
    assert bucket_of(0.0) == 0 and bucket_of(1.0) < bucket_of(1.05)


def test_the_window_table_sums_only_the_buckets_of_the_window() -> None:
    from proxy.status import view

    old = {"agents": {"a": {"requests": 80.0}}, "total": {"all": {"requests": 80.0}}}
    new = {"agents": {"a": {"requests": 3.0}, "b": {"requests": 1.0}}, "total": {"all": {"requests": 4.0}}}
    buckets: series.Buckets = {900: old, 1000: new, 1010: new}
    data = view.build(buckets, [], bucket_s=10, window=5, now=1015.0, in_flight=0, workers=1, shared=False)
    assert data["window"]["total"]["requests"] == 8  # 900 is before the 5-bucket window 970..1010
    assert data["window"]["agents"]["a"]["requests"] == 6 and data["window"]["agents"]["b"]["requests"] == 2
    assert set(data["window"]["agents"]["a"]) >= {"provider_cache_hit_rate", "cache_stable_prefix_rate"}


def test_money_saved_chart_has_no_point_for_an_unknown_price() -> None:
    """The table says "price unknown"; the chart must not draw the same traffic as $0."""
    from proxy.status import view

    free = {"requests": 2.0, "compactions": 2.0, "unpriced_requests": 2.0, "money_saved_usd": 0.0}
    paid = {"requests": 1.0, "compactions": 1.0, "money_saved_usd": 0.002}
    buckets: series.Buckets = {1000: {"models": {"free": free, "paid": paid}}}
    data = view.build(buckets, [], bucket_s=10, window=2, now=1005.0, in_flight=0, workers=1, shared=False)
    models = data["series"]["models"]
    assert models["free"]["money_saved_usd"] == [0.0, None]  # 990: no traffic, 1000: price unknown
    assert models["paid"]["money_saved_usd"] == [0.0, 0.002]
    assert data["window"]["models"]["free"]["money_saved_known"] is False


def test_in_flight_is_the_peak_of_the_bucket() -> None:
    from proxy.server.lifecycle import Lifecycle

    life = Lifecycle()
    for _ in range(3):
        life.enter()
    for _ in range(3):
        life.leave()
    assert life.in_flight == 0
    assert life.take_peak(reset=False) == 3  # the open bucket, read by /status.json
    assert life.take_peak(reset=True) == 3  # the bucket closes
    assert life.take_peak(reset=True) == 0  # nothing since


def test_figures_rates_are_none_without_a_denominator() -> None:
    f = snapshot.stat_figures({"requests": 2, "tokens_before": 100, "tokens_after": 40})
    assert f["tokens_saved"] == 60 and f["cache_hit_rate"] is None and f["stable_prefix_rate"] is None
    f = snapshot.stat_figures(
        {"compactions": 4, "prefix_reused": 3, "provider_input_tokens": 1000, "provider_cached_tokens": 256}
    )
    assert f["stable_prefix_rate"] == 0.75 and f["cache_hit_rate"] == 0.256


def test_money_saved_is_the_cost_models_bill_and_workers_sum() -> None:
    one, two = Stats(), Stats()
    bill = Saving(without_usd=0.004, with_usd=0.0015)
    one.request(
        "a",
        "m",
        tokens_before=1000,
        tokens_after=400,
        compressed=True,
        fresh=True,
        reused_prefix=False,
        saving=bill,
    )
    one.request(
        "a", "free", tokens_before=1000, tokens_after=0, compressed=True, fresh=True, reused_prefix=False
    )
    same = Saving(without_usd=1e-5, with_usd=1e-5)
    two.request(
        "b",
        "m",
        tokens_before=10,
        tokens_after=10,
        compressed=False,
        fresh=False,
        reused_prefix=False,
        saving=same,
    )
    two.summary("b", "m", 50, 0.0005)  # a summary call is part of what compression cost
    view = merge_raw([one.raw(), two.raw()])
    assert view["total"]["requests"] == 3 and view["total"]["tokens_saved"] == 1600
    assert view["models"]["m"]["money_saved_usd"] == pytest.approx(0.0025 - 0.0005)
    assert view["models"]["m"]["money_saved_known"] is True
    # no price for "free": "price unknown", never a silent $0
    assert view["models"]["free"]["money_saved_usd"] == 0
    assert view["models"]["free"]["money_saved_known"] is False
    assert view["total"]["money_saved_known"] is False
    figures = snapshot.stat_figures(_counters_of(one.raw()["models"]["free"]))
    assert figures["money_saved_known"] is False


def _counters_of(raw: dict[str, float]) -> dict[str, float]:
    return {k: float(v) for k, v in raw.items()}


def test_basic_auth_password() -> None:
    assert basic_password("Basic " + base64.b64encode(b"ops:k:with:colons").decode()) == "k:with:colons"
    assert basic_password("Basic not-base64!") is None
    assert basic_password("Bearer x") is None and basic_password(None) is None


def test_a_bucket_keeps_only_the_busiest_agents_and_models() -> None:
    """Thousands of agents a minute must not grow every bucket: memory levels off."""
    many = 3 * series.KEYS_PER_BUCKET
    s = Series(bucket_s=10, window=60, now=1000.0)
    s.close({}, 1000.0)
    for minute in range(1, 40):
        agents = {f"a{minute}-{i}": {"requests": float(i)} for i in range(many)}
        models = {f"m{minute}-{i}": {"requests": float(i)} for i in range(many)}
        total = {"all": {"requests": float(many * minute)}}
        snap: series.Snap = {"agents": agents, "models": models, "total": total}
        s.close(snap, 1000.0 + 10 * minute)
    assert len(s.buckets) == 39
    for bucket in s.buckets.values():
        assert len(bucket["agents"]) == series.KEYS_PER_BUCKET
        assert len(bucket["models"]) == series.KEYS_PER_BUCKET
        assert bucket["total"]["all"]["requests"] == many  # the totals still count everyone
    last = s.buckets[max(s.buckets)]["agents"]
    assert min(f["requests"] for f in last.values()) == many - series.KEYS_PER_BUCKET  # the busiest kept
