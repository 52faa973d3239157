"""Prometheus metrics on a per-app registry (no module-level state). Prefix ``ctxproxy_``.

Labels are bounded: upstream names come from config, routes are a fixed set of families,
statuses are grouped. Other components (catalog, compactor) register their own metrics on
``Metrics.registry`` in their own modules.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

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
        self.in_flight = Gauge("ctxproxy_in_flight_requests", "Requests being proxied now", registry=r)
        self.in_flight_streams = Gauge("ctxproxy_in_flight_streams", "SSE streams open now", registry=r)
        self.bytes_in = Counter(
            "ctxproxy_bytes_in_total", "Request body bytes received", ["upstream"], registry=r
        )
        self.bytes_out = Counter(
            "ctxproxy_bytes_out_total", "Response body bytes sent to clients", ["upstream"], registry=r
        )
        self.errors = Counter(
            "ctxproxy_proxy_errors_total", "Errors raised by the proxy itself", ["kind"], registry=r
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)


def status_class(status: int) -> str:
    """Bounded status label: exact for common codes, else the class (``5xx``)."""
    if status in (200, 400, 401, 403, 404, 408, 413, 429, 500, 502, 503, 504):
        return str(status)
    return f"{status // 100}xx"
