"""``/status.json``: chart-ready columns over the rolling window, plus current totals."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from proxy.server.stats import merge_raw
from proxy.status import series, snapshot
from proxy.status.series import Buckets, Fields

MAX_KEYS = 12  # agents / models charted (the busiest in the window); all stay in the totals


def build(
    buckets: Buckets,
    stats_parts: list[dict[str, Any]],
    *,
    bucket_s: float,
    window: int,
    now: float,
    in_flight: int,
    workers: int,
    shared: bool,
) -> dict[str, Any]:
    newest = series.align(now, bucket_s)
    times = [int(newest - bucket_s * i) for i in range(window - 1, -1, -1)]
    columns: dict[str, Any] = {"agents": {}, "models": {}, "total": {}}
    for group in columns:
        keys = _busiest(buckets, group)
        for key in keys:
            rows = [snapshot.stat_figures(buckets.get(t, {}).get(group, {}).get(key, {})) for t in times]
            for r in rows:  # compressed traffic at an unknown price: no point, never a silent $0
                if r["money_saved_known"] is False and not r["money_saved_usd"]:
                    r["money_saved_usd"] = None
            columns[group][key] = {name: [r[name] for r in rows] for name in rows[0]} if rows else {}
    proxy_rows = [snapshot.proxy_figures(buckets.get(t, {}).get("proxy", {}).get("all", {})) for t in times]
    kinds = sorted({k for r in proxy_rows for k in r["errors_by_kind"]})
    window_proxy: Fields = {}
    for t in times:
        for name, value in buckets.get(t, {}).get("proxy", {}).get("all", {}).items():
            if name not in series.GAUGES:
                window_proxy[name] = window_proxy.get(name, 0.0) + value
    proxy_window = snapshot.proxy_figures(window_proxy)
    proxy_window["in_flight"] = in_flight
    proxy_window["in_flight_peak"] = max((r["in_flight"] for r in proxy_rows), default=0.0)
    return {
        "generated_at": now,
        "bucket_s": bucket_s,
        "window_buckets": window,
        "workers": workers,
        "shared_store": shared,
        "t": times,
        "series": {
            **columns,
            "proxy": {
                name: [r[name] for r in proxy_rows]
                for name in (
                    "requests",
                    "errors",
                    "in_flight",
                    "latency_added_p50_ms",
                    "latency_added_p99_ms",
                )
            },
            "errors_by_kind": {k: [r["errors_by_kind"].get(k, 0.0) for r in proxy_rows] for k in kinds},
        },
        "proxy": proxy_window,
        "window": window_table(buckets, times),
        "stats": merge_raw(p for p in stats_parts if p),  # since each process started
    }


def window_table(buckets: Buckets, times: list[int]) -> dict[str, Any]:
    """Per agent, per model and in all: the window's buckets summed, as the summary table shows
    them (the same figures as the charts; ``stats`` has the totals since start)."""
    out: dict[str, dict[str, dict[str, Any]]] = {"agents": {}, "models": {}, "total": {}}
    for group, table in out.items():
        sums: dict[str, Fields] = {}
        for t in times:
            for key, fields in buckets.get(t, {}).get(group, {}).items():
                acc = sums.setdefault(key, {})
                for name, value in fields.items():
                    acc[name] = acc.get(name, 0.0) + value
        for key, fields in sums.items():
            figures: dict[str, Any] = dict(snapshot.stat_figures(fields))
            figures["provider_cache_hit_rate"] = figures["cache_hit_rate"]  # the names /stats uses
            figures["cache_stable_prefix_rate"] = figures["stable_prefix_rate"]
            table[key] = figures
    return {**out, "total": out["total"].get("all", {"requests": 0.0})}


def _busiest(buckets: Buckets, group: str) -> list[str]:
    load: Counter[str] = Counter()
    for snap in buckets.values():
        for key, fields in snap.get(group, {}).items():
            load[key] += int(fields.get("requests", 0)) + 1
    return sorted(k for k, _ in load.most_common(MAX_KEYS))


def catalog_section(catalog: Any, changes: list[dict[str, Any]]) -> dict[str, Any]:
    """Sources (age, last error, next refresh), models per provider, the latest changes."""
    if catalog is None:
        return {"sources": [], "models_per_provider": {}, "recent_changes": []}
    now = time.time()
    due = catalog.next_refresh_at()
    sources = []
    for row in catalog.source_status():
        at = due.get(row["source"])
        sources.append({**row, "next_refresh_in_s": None if at is None else round(max(0.0, at - now), 1)})
    per_provider: Counter[str] = Counter(m.upstream or m.provider or "?" for m in catalog.models())
    recent = [
        {
            "at": c.get("at"),
            "sources": c.get("sources", []),
            "added": len(c.get("added") or []),
            "removed": len(c.get("removed") or []),
            "changed": len(c.get("changed") or []),
            "examples": [m.get("id") for m in (c.get("added") or [])[:3]],
        }
        for c in changes[-10:][::-1]
    ]
    return {
        "sources": sources,
        "models_per_provider": dict(sorted(per_provider.items())),
        "recent_changes": recent,
    }
