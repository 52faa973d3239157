"""The status series: bucket diffs, merges, the latency quantile, the page's figures."""

from __future__ import annotations

import base64

import pytest

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


def test_quantile_interpolates_like_histogram_quantile() -> None:
    fields = {"oh:0.001": 50.0, "oh:0.01": 90.0, "oh:0.1": 100.0, "oh:+Inf": 100.0}
    assert snapshot.quantile(0.5, fields) == pytest.approx(0.001)
    assert snapshot.quantile(0.7, fields) == pytest.approx(0.001 + 0.009 * 0.5)
    assert snapshot.quantile(0.99, fields) == pytest.approx(0.01 + 0.09 * 0.9)
    assert snapshot.quantile(0.5, {"oh:0.1": 0.0, "oh:+Inf": 0.0}) is None


def test_figures_rates_are_none_without_a_denominator() -> None:
    f = snapshot.stat_figures({"requests": 2, "tokens_before": 100, "tokens_after": 40})
    assert f["tokens_saved"] == 60 and f["cache_hit_rate"] is None and f["stable_prefix_rate"] is None
    f = snapshot.stat_figures(
        {"compactions": 4, "prefix_reused": 3, "provider_input_tokens": 1000, "provider_cached_tokens": 256}
    )
    assert f["stable_prefix_rate"] == 0.75 and f["cache_hit_rate"] == 0.256


def test_money_saved_uses_the_price_and_workers_sum() -> None:
    one, two = Stats(price=lambda model: 2e-6 if model == "m" else None), Stats()
    one.request("a", "m", tokens_before=1000, tokens_after=400, compressed=True, fresh=True, reused_prefix=False)
    one.request("a", "free", tokens_before=1000, tokens_after=0, compressed=True, fresh=True, reused_prefix=False)
    two.request("b", "m", tokens_before=10, tokens_after=10, compressed=False, fresh=False, reused_prefix=False)
    view = merge_raw([one.raw(), two.raw()])
    assert view["total"]["requests"] == 3 and view["total"]["tokens_saved"] == 1600
    assert view["models"]["m"]["money_saved_usd"] == pytest.approx(600 * 2e-6)
    assert view["models"]["free"]["money_saved_usd"] == 0
    assert set(view["agents"]) == {"a", "b"}


def test_basic_auth_password() -> None:
    assert basic_password("Basic " + base64.b64encode(b"ops:k:with:colons").decode()) == "k:with:colons"
    assert basic_password("Basic not-base64!") is None
    assert basic_password("Bearer x") is None and basic_password(None) is None


def test_a_bucket_keeps_only_the_busiest_agents_and_models() -> None:
    """Thousands of agents a minute must not grow every bucket (issue 10: memory levels off)."""
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
