"""Prometheus metrics on a per-app registry (no module-level state). Prefix ``ctxproxy_``.

Under ``serve --workers N`` the workers run prometheus_client's multiprocess mode (the serve
process sets ``PROMETHEUS_MULTIPROC_DIR`` to a directory of its own run): every value lives in
a per-process file there, and ``render`` sums all workers' files, so one scrape sees them all.

Labels are bounded: upstream names come from config, routes are a fixed set of families,
statuses are grouped. Other components (catalog, compactor) register their own metrics on
``Metrics.registry`` in their own modules.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import prometheus_client
from prometheus_client import CollectorRegistry, Gauge, generate_latest
from prometheus_client.metrics_core import Metric

from proxy.observability.request_tap import RequestTap

_M = TypeVar("_M")


def _memo_child(
    metric: Any, make: Callable[..., _M], values: tuple[object, ...], named: dict[str, object]
) -> _M:
    memo: dict[tuple[Any, ...], _M] | None = metric.__dict__.get("_ctxproxy_children")
    if memo is None:
        memo = metric.__dict__["_ctxproxy_children"] = {}
    key = (values, tuple(named.items()))
    child = memo.get(key)
    if child is None:
        child = memo[key] = make(*values, **named)
    return child


class Counter(prometheus_client.Counter):
    """``labels(...)`` memoized by its arguments. prometheus_client checks the names, converts
    every value and takes a lock on each call (≈7k instructions; a proxied request makes six); the
    children are its own, created and exported as before. Label values are bounded (module
    docstring) and no child is ever removed, so the memo cannot go stale or grow unbounded."""

    def labels(self, *labelvalues: object, **labelkwargs: object) -> Counter:
        return _memo_child(self, super().labels, labelvalues, labelkwargs)


class Histogram(prometheus_client.Histogram):
    """``labels(...)`` memoized, as :class:`Counter`."""

    def labels(self, *labelvalues: object, **labelkwargs: object) -> Histogram:
        return _memo_child(self, super().labels, labelvalues, labelkwargs)


_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)
_OVERHEAD_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1, 5)


class Metrics:
    def __init__(self) -> None:
        r = self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "ctxproxy_requests_total", "Proxied requests", ["upstream", "route", "status"], registry=r
        )
        self.upstream_latency = Histogram(
            "ctxproxy_upstream_latency_seconds",
            "Time until the upstream's response headers arrived",
            ["upstream", "route"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.ttfb = Histogram(
            "ctxproxy_time_to_first_byte_seconds",
            "Time from request arrival to the first response body byte sent to the client",
            ["upstream", "route"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.overhead = Histogram(
            "ctxproxy_overhead_seconds",
            "Time the proxy itself spent before forwarding (parsing, budget, compression)",
            ["route"],
            buckets=_OVERHEAD_BUCKETS,
            registry=r,
        )
        self.in_flight = Gauge(
            "ctxproxy_in_flight_requests",
            "Requests being proxied now",
            registry=r,
            multiprocess_mode="livesum",
        )
        self.in_flight_streams = Gauge(
            "ctxproxy_in_flight_streams", "SSE streams open now", registry=r, multiprocess_mode="livesum"
        )
        self.bytes_in = Counter(
            "ctxproxy_bytes_in_total", "Request body bytes received", ["upstream"], registry=r
        )
        self.bytes_out = Counter(
            "ctxproxy_bytes_out_total", "Response body bytes sent to clients", ["upstream"], registry=r
        )
        self.errors = Counter(
            "ctxproxy_proxy_errors_total", "Errors raised by the proxy itself", ["kind"], registry=r
        )
        self.tap = RequestTap()  # the status page's finer per-request counts (not exported)

        # compression on live traffic
        self.compressions = Counter(
            "ctxproxy_compressions_total",
            "Chat requests sent compressed",
            ["route", "strategy", "kind"],  # kind: fresh | replay
            registry=r,
        )
        self.tokens_saved = Counter(
            "ctxproxy_tokens_saved_total",
            "Estimated input tokens removed by compression",
            ["route"],
            registry=r,
        )
        self.compression_seconds = Histogram(
            "ctxproxy_compression_seconds",
            "Time spent deciding and compressing one chat request",
            ["route"],
            buckets=_OVERHEAD_BUCKETS,
            registry=r,
        )
        self.compression_fallbacks = Counter(
            "ctxproxy_compression_fallbacks_total",
            "Compressions abandoned: the original was sent (invalid output, errors)",
            ["reason"],
            registry=r,
        )
        self.overflow_retries = Counter(
            "ctxproxy_overflow_retries_total",
            "Upstream context-length errors answered by one tighter retry",
            ["upstream", "kind"],  # kind: context | max_tokens | too_large
            registry=r,
        )
        self.overflow_unrecovered = Counter(
            "ctxproxy_overflow_unrecovered_total",
            "Context-length errors passed to the client (no smaller body possible)",
            ["upstream"],
            registry=r,
        )
        self.native_compactions = Counter(
            "ctxproxy_native_compactions_total",
            "Responses chains handed to the provider's own compaction/truncation",
            ["upstream", "mode"],
            registry=r,
        )
        self.summary_tokens = Counter(
            "ctxproxy_summary_tokens_total",
            "Tokens spent by the LLM summarizer",
            ["mode", "direction"],  # direction: input | output
            registry=r,
        )
        self.summary_cost = Counter(
            "ctxproxy_summary_cost_usd_total", "Estimated USD spent on LLM summaries", ["mode"], registry=r
        )
        self.summary_events = Counter(
            "ctxproxy_summaries_total",
            "Summaries computed, by outcome",
            ["mode", "outcome"],  # ok | cached | timeout | error | circuit_open
            registry=r,
        )

        # the shared store (storage.backend: redis): outages, and what the local copy answered
        self.storage_degraded = Gauge(
            "ctxproxy_storage_degraded",
            "1 while the shared store (Redis) is bypassed after failures, else 0",
            registry=r,
            multiprocess_mode="livemax",
        )
        self.storage_outages = Counter(
            "ctxproxy_storage_outages_total", "Shared-store outages (storage.degraded events)", registry=r
        )
        self.storage_fallbacks = Counter(
            "ctxproxy_storage_fallbacks_total",
            "Storage operations the local copy answered alone (shared store failed, slow or bypassed)",
            ["op"],  # get | get_latest | set | set_nx | set_versioned | delete
            registry=r,
        )
        self.storage_writes_shed = Counter(
            "ctxproxy_storage_writes_shed_total",
            "Writes to the shared store dropped from its bounded queue (the local copy kept them)",
            registry=r,
        )

    def render(self) -> bytes:
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            return generate_latest(_AllWorkers(self.registry))  # type: ignore[arg-type]
        return generate_latest(self.registry)


# Gauges computed when scraped (``set_function``) have no value in the multiprocess files:
# the worker answering the scrape reports its own.
PROCESS_LOCAL = frozenset({"ctxproxy_catalog_source_age_seconds"})


class _AllWorkers:
    """Every worker's values from the multiprocess directory, plus this worker's live gauges."""

    def __init__(self, registry: CollectorRegistry) -> None:
        from prometheus_client.multiprocess import MultiProcessCollector

        self._files = MultiProcessCollector(None)
        self._registry = registry

    def collect(self) -> Iterator[Metric]:
        for family in self._files.collect():
            if family.name not in PROCESS_LOCAL:
                yield family
        for family in self._registry.collect():
            if family.name in PROCESS_LOCAL:
                yield family


def status_class(status: int) -> str:
    """Bounded status label: exact for common codes, else the class (``5xx``)."""
    if status in (200, 400, 401, 403, 404, 408, 413, 429, 499, 500, 502, 503, 504):
        return str(status)
    return f"{status // 100}xx"
