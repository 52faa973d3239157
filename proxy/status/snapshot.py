"""Cumulative snapshots for the status series, and the per-bucket figures the page charts.

Sources: the per-agent/per-model counters of :class:`proxy.server.stats.Stats` (fed by the
compression hooks and the usage tap), the proxy's errors by kind (Prometheus), and its
:class:`~proxy.observability.request_tap.RequestTap` (requests answered, the added latency in
fine buckets).
"""

from __future__ import annotations

from typing import Any

from proxy.observability import request_tap
from proxy.observability.metrics import Metrics
from proxy.status.series import Fields, Snap

# Stats counters the page charts (the rest stay in /stats).
STAT_FIELDS = (
    "requests",
    "compactions",
    "prefix_reused",
    "tokens_before",
    "tokens_after",
    "money_saved_usd",
    "summary_tokens",
    "summary_cost_usd",
    "provider_input_tokens",
    "provider_cached_tokens",
)


def take(stats_raw: dict[str, Any] | None, metrics: Metrics) -> Snap:
    snap: Snap = {"agents": {}, "models": {}, "total": {}, "proxy": {"all": proxy_fields(metrics)}}
    if stats_raw:
        snap["total"]["all"] = _pick(stats_raw.get("total") or {})
        for group in ("agents", "models"):
            for key, raw in (stats_raw.get(group) or {}).items():
                snap[group][key] = _pick(raw)
    return snap


def _pick(raw: dict[str, Any]) -> Fields:
    return {f: float(raw.get(f, 0) or 0) for f in STAT_FIELDS}


def proxy_fields(metrics: Metrics) -> Fields:
    """Requests answered (rejected ones too), errors by kind, the added latency in fine buckets.
    ``in_flight`` is the current count here; the recorder replaces it with the bucket's peak."""
    tap = metrics.tap
    out: Fields = {"requests": float(tap.answered), "in_flight": 0.0}
    for family in metrics.errors.collect():
        for s in family.samples:
            if s.name.endswith("_total"):
                key = "err:" + s.labels.get("kind", "other")
                out[key] = out.get(key, 0.0) + s.value
    for index, count in tap.overhead.items():
        out[f"lat:{index}"] = float(count)
    for family in metrics.in_flight.collect():
        out["in_flight"] = sum(s.value for s in family.samples)
    return out


def quantile(q: float, fields: Fields) -> float | None:
    """The nearest-rank ``q`` quantile (ms) of the added latency counted in ``lat:<bucket>``."""
    counts = {int(k[4:]): v for k, v in fields.items() if k.startswith("lat:") and v}
    return request_tap.quantile(q, counts)


def stat_figures(f: Fields) -> dict[str, float | None]:
    """One bucket (or total) of one agent/model, as charted."""
    before, after = f.get("tokens_before", 0.0), f.get("tokens_after", 0.0)
    compactions = f.get("compactions", 0.0)
    provider_in = f.get("provider_input_tokens", 0.0)
    return {
        "requests": f.get("requests", 0.0),
        "compactions": compactions,
        "tokens_before": before,
        "tokens_after": after,
        "tokens_saved": max(0.0, before - after),
        "money_saved_usd": round(f.get("money_saved_usd", 0.0), 6),
        "summary_tokens": f.get("summary_tokens", 0.0),
        "cache_hit_rate": round(f.get("provider_cached_tokens", 0.0) / provider_in, 4)
        if provider_in
        else None,
        "stable_prefix_rate": round(f.get("prefix_reused", 0.0) / compactions, 4) if compactions else None,
    }


def proxy_figures(f: Fields) -> dict[str, Any]:
    p50, p99 = quantile(0.5, f), quantile(0.99, f)
    errors = {k[4:]: v for k, v in f.items() if k.startswith("err:") and v}
    return {
        "requests": f.get("requests", 0.0),
        "errors": sum(errors.values()),
        "errors_by_kind": errors,
        "in_flight": f.get("in_flight", 0.0),
        "latency_added_p50_ms": None if p50 is None else round(p50, 3),
        "latency_added_p99_ms": None if p99 is None else round(p99, 3),
    }
