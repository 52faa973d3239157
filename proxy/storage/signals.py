"""How the shared store's health is reported: one event per change of state, and metrics.

A Redis outage logs ``storage.degraded`` once (with the reason, credentials stripped) and
``storage.recovered`` once when it answers again, never a line per operation; the counts of
what happened in between (operations served locally, queued writes shed) go to the metrics and
into the recovered event.
"""

from __future__ import annotations

import time

import structlog

from proxy.observability.metrics import Metrics

log = structlog.get_logger("ctxproxy.storage")


class StorageSignals:
    def __init__(self, backend: str, metrics: Metrics | None = None) -> None:
        self.backend = backend
        self.metrics = metrics
        self.outages = 0
        self.fallbacks = 0
        self.shed = 0
        self._down_since: float | None = None
        self._fallbacks_at_start = 0
        self._shed_at_start = 0

    @property
    def degraded_now(self) -> bool:
        return self._down_since is not None

    def degraded(self, reason: str) -> None:
        self.outages += 1
        self._down_since = time.monotonic()
        self._fallbacks_at_start, self._shed_at_start = self.fallbacks, self.shed
        log.warning(
            "storage.degraded",
            backend=self.backend,
            reason=reason,
            hint="serving from this replica's local copy; shared state resumes when the store answers",
        )
        if self.metrics is not None:
            self.metrics.storage_degraded.set(1)
            self.metrics.storage_outages.inc()

    def recovered(self) -> None:
        since = self._down_since
        self._down_since = None
        log.info(
            "storage.recovered",
            backend=self.backend,
            down_s=round(time.monotonic() - since, 3) if since is not None else None,
            served_locally=self.fallbacks - self._fallbacks_at_start,
            writes_shed=self.shed - self._shed_at_start,
        )
        if self.metrics is not None:
            self.metrics.storage_degraded.set(0)

    def fallback(self, op: str) -> None:
        """One operation answered by the local tier alone (shared store failed, slow or bypassed)."""
        self.fallbacks += 1
        if self.metrics is not None:
            self.metrics.storage_fallbacks.labels(op=op).inc()

    def writes_shed(self, n: int = 1) -> None:
        self.shed += n
        if self.metrics is not None:
            self.metrics.storage_writes_shed.inc(n)
