"""The access log: one ``request.completed`` line per exchange (never the prompt or a key)."""

from __future__ import annotations

import time
from typing import Any

import structlog

from proxy.server.exchange import Exchange

log = structlog.get_logger("ctxproxy")


def log_done(ex: Exchange, status: int, error: str | None) -> None:
    outcome, prepared = ex.outcome, ex.prepared
    ex.metrics.tap.done(ex.overhead_ms)  # the status page: every answered request, its overhead
    fields: dict[str, Any] = {
        "method": ex.request.method,
        "upstream": ex.route.upstream.name,
        "route": ex.route.label,
        "status": status,
        "agent": ex.agent or None,
        "duration_ms": round((time.perf_counter() - ex.started) * 1000.0, 3),
        "bytes_in": ex.bytes_in,
        "bytes_out": outcome.bytes_out,
    }
    if ex.overhead_ms is not None:
        fields["overhead_ms"] = round(ex.overhead_ms, 3)
    if outcome.upstream_s is not None:
        fields["upstream_ms"] = round(outcome.upstream_s * 1000.0, 3)
    if outcome.ttfb_s is not None:
        fields["ttfb_ms"] = round(outcome.ttfb_s * 1000.0, 3)
    if outcome.retried:
        fields["retried"] = True
    if prepared is not None:
        fields.update(prepared.outcome.log_fields())
    if error:
        fields["error"] = error
    log.info("request.completed", **fields)
