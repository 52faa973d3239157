"""After an upstream context-length error: learn the real limit, calibrate, retry once.

A ``max_tokens`` overflow lowers the request's output limit (:mod:`proxy.server.max_tokens`);
any other recompresses toward a tighter share of the budget than the failed attempt used.
"""

from __future__ import annotations

from typing import Protocol

import structlog

from proxy.catalog import Catalog
from proxy.compress import Compactor, Decision
from proxy.compress.limits import Limits
from proxy.observability.metrics import Metrics
from proxy.server.hooks import Attempt, ChatRequest, Prepared
from proxy.server.max_tokens import lower_max_tokens
from proxy.server.outcome import CompressionOutcome
from proxy.server.overflow import Overflow, detect_overflow
from proxy.server.stats import Stats

log = structlog.get_logger("ctxproxy.compression")

RETRY_SHRINK = 0.75  # a retry drains to this share of the target the failed attempt used


class Recompressor(Protocol):
    """The two steps of the chat hooks a retry reuses (:class:`~proxy.server.compression.CompressionHooks`)."""

    async def decide(self, req: ChatRequest, attempt: Attempt, force_target: float | None) -> Decision:
        """The compactor's decision for ``attempt`` (failures logged and counted)."""
        ...

    def prepared(
        self, req: ChatRequest, attempt: Attempt, decision: Decision, outcome: CompressionOutcome
    ) -> Prepared:
        """``decision`` rendered into the body to send and ``outcome`` amended with it."""
        ...


class OverflowRetry:
    def __init__(
        self,
        compactor: Compactor,
        metrics: Metrics,
        stats: Stats,
        catalog: Catalog | None,
        hooks: Recompressor,
    ) -> None:
        self.compactor = compactor
        self.metrics = metrics
        self.stats = stats
        self.catalog = catalog
        self.hooks = hooks

    async def retry(self, req: ChatRequest, prepared: Prepared, status: int, body: bytes) -> Prepared | None:
        attempt = prepared.attempt
        if attempt is None:
            return None
        overflow = detect_overflow(status, body)
        if overflow is None:
            return None
        upstream = req.route.upstream.name
        log.warning(
            "upstream.context_overflow",
            model=attempt.model,
            kind=overflow.kind,
            signal=overflow.signal,
            limit=overflow.limit,
            requested=overflow.requested,
        )
        if overflow.limit and self.catalog is not None:
            self.catalog.learn_limit(attempt.model, upstream, overflow.limit)
        if overflow.kind == "max_tokens":
            again = lower_max_tokens(req, prepared, overflow)
            if again is not None:
                self._count(req, attempt, upstream, "max_tokens")
                return again
        self.calibrate(attempt, overflow)
        if attempt.target is None:  # nothing was decided for it (no compactor): nothing to shrink
            return None
        limits = retry_limits(attempt.limits, overflow)
        retry_attempt = Attempt(attempt.model, limits)
        decision = await self.hooks.decide(req, retry_attempt, round(attempt.target * RETRY_SHRINK, 4))
        if decision.failure is not None:
            return None
        if decision.body is None:
            self.metrics.overflow_unrecovered.labels(upstream=upstream).inc()
            return None
        outcome = prepared.outcome.amend(context_window=limits.context_window, retried=overflow.kind)
        again = self.hooks.prepared(req, retry_attempt, decision, outcome)
        again.flush()  # its stats and log line now, whether or not it is sent
        if again.body == prepared.body:
            self.metrics.overflow_unrecovered.labels(upstream=upstream).inc()
            return None
        self._count(req, attempt, upstream, overflow.kind)
        return again

    def calibrate(self, attempt: Attempt, overflow: Overflow) -> None:
        """The provider's count of the failed body corrects the token factor like ``usage`` does."""
        actual = overflow.prompt or (
            overflow.requested - (overflow.completion or 0) if overflow.requested else None
        )
        if attempt.tokens is not None and actual:
            self.compactor.record_usage(attempt.model, attempt.tokens, actual, attempt.factor)

    def _count(self, req: ChatRequest, attempt: Attempt, upstream: str, kind: str) -> None:
        self.metrics.overflow_retries.labels(upstream=upstream, kind=kind).inc()
        self.stats.retry(req.agent, attempt.model)


def retry_limits(limits: Limits, overflow: Overflow) -> Limits:
    """``limits`` with the window the provider just reported, when it is smaller."""
    if overflow.limit and overflow.limit < limits.context_window:
        return Limits(
            overflow.limit,
            min(limits.max_input_tokens or overflow.limit, overflow.limit),
            limits.max_output_tokens,
            limits.unknown,
        )
    return limits
