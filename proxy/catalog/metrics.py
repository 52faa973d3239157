"""Catalog metrics on the app's registry: changes, per-source age, refresh outcomes."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge


class CatalogMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.changes = Counter(
            "ctxproxy_catalog_changes_total",
            "Catalog changes found by refreshes (added, removed, changed fields)",
            ["kind"],
            registry=registry,
        )
        self.source_age = Gauge(
            "ctxproxy_catalog_source_age_seconds",
            "Seconds since each catalog source last fetched successfully (NaN: never)",
            ["source"],
            registry=registry,
        )
        self.refreshes = Counter(
            "ctxproxy_catalog_refreshes_total",
            "Catalog source refreshes",
            ["source", "result"],
            registry=registry,
        )
        self.refresh_errors = Counter(
            "ctxproxy_catalog_refresh_errors_total",
            "Failed catalog source refreshes by kind (timeout, http_5xx, rate_limited, malformed, empty, …)",
            ["source", "kind"],
            registry=registry,
        )
        self.listed = Gauge(
            "ctxproxy_catalog_models",
            "Models currently listed by native sources",
            registry=registry,
            multiprocess_mode="max",  # every worker holds the same catalog
        )

    def track_age(self, source: str, fetched_at: Callable[[], float | None]) -> None:
        def age() -> float:
            ts = fetched_at()
            return math.nan if ts is None else max(0.0, time.time() - ts)

        self.source_age.labels(source).set_function(age)
