"""Compression on live traffic: the chat pipeline the forwarder calls for every chat request.

prepare: catalog limits → cheap upper-bound check → compactor (only near the trigger)
retry:   an upstream context-length error → learn the real limit → one tighter body
tap:     usage from the response → token calibration, stats, Responses-chain sizes
"""

from __future__ import annotations

import os
import time
from typing import Any

import orjson
import structlog

from proxy.catalog import Catalog
from proxy.catalog.switches import RequestTraits
from proxy.compress import CompactionResult, Compactor
from proxy.compress.limits import Limits, input_budget
from proxy.compress.summary_backends import CURRENT_CALL
from proxy.config import Settings
from proxy.observability.metrics import Metrics
from proxy.observability.where import exc_where
from proxy.server.chains import ChainTracker, apply_native_compaction
from proxy.server.errors import ProxyError
from proxy.server.max_tokens import lower_max_tokens
from proxy.server.overflow import Overflow, detect_overflow
from proxy.server.pipeline import Attempt, ChatRequest, Prepared, ResponseTap
from proxy.server.stats import Stats
from proxy.server.summary_call import summary_call
from proxy.server.usage import Usage, UsageTap
from proxy.storage.base import KV
from proxy.wire import get_adapter
from proxy.wire.base import WireAdapter

log = structlog.get_logger("ctxproxy.compression")

_RETRY_SHRINK = 0.75  # a retry drains to this share of the target the failed attempt used


def model_of(req: ChatRequest) -> str:
    return get_adapter(req.api).model_id(req.body, req.route.raw_tail)


class CompressionPipeline:
    def __init__(
        self,
        settings: Settings,
        compactor: Compactor,
        metrics: Metrics,
        stats: Stats,
        kv: KV | None = None,
        catalog: Catalog | None = None,
    ) -> None:
        self.settings = settings
        self.compactor = compactor
        self.metrics = metrics
        self.stats = stats
        self.chains = ChainTracker(kv, ttl_s=settings.storage.ttl_s)
        self.catalog = catalog  # None: the configured default limits

    # -- limits ----------------------------------------------------------------------------
    def limits(self, model: str, upstream: str, request: RequestTraits | None = None) -> Limits:
        if self.catalog is not None:
            info = self.catalog.lookup(model, upstream, request)
            return Limits(info.context_window, info.max_input_tokens, info.max_output_tokens, info.unknown)
        c = self.settings.catalog
        return Limits(c.default_context_window, None, c.default_max_output_tokens, True)

    # -- prepare ---------------------------------------------------------------------------
    async def prepare(self, req: ChatRequest) -> Prepared:
        started = time.perf_counter()
        model = model_of(req)
        # The window can depend on what the request asked for (anthropic-beta: context-1m-…).
        limits = self.limits(model, req.route.upstream.name, RequestTraits.from_headers(req.headers))
        policy = self.compactor.policy(model, req.agent)
        headers = {
            "x-ctxproxy-compressed": "0",
            "x-ctxproxy-context-window": str(limits.context_window),
            "x-ctxproxy-strategy": policy.strategy if policy.enabled else "off",
        }
        attempt = Attempt(model, limits, None)
        adapter = _adapter(req.api)
        if adapter is None:  # no wire adapter for it: forwarded untouched
            return Prepared(req.raw, headers, attempt)
        problem = adapter.check(req.body)
        if problem is not None:  # refused before anything parses it (a retry compacts too)
            raise ProxyError(400, f"invalid request body: {problem}", "invalid_request")
        if not policy.enabled:
            return Prepared(req.raw, headers, attempt)
        if adapter.history_held_upstream(req.body):
            return await self._chain(req, attempt, headers)
        skipped = await self.compactor.skip_estimate(req.raw, req.body, req.api, model, limits, req.agent)
        if skipped is not None:
            # Certainly under the trigger. The token headers still carry the (memoized,
            # incremental) estimate: cheap for a resent history, exact for OpenAI families.
            tokens, factor = skipped
            attempt.estimated(tokens, factor)
            headers["x-ctxproxy-tokens-before"] = headers["x-ctxproxy-tokens-after"] = str(tokens)
            self.stats.request(
                req.agent,
                model,
                tokens_before=tokens,
                tokens_after=tokens,
                compressed=False,
                fresh=False,
                reused_prefix=False,
            )
            return Prepared(req.raw, headers, attempt)
        try:
            result = await self._compress(req, attempt, None)
        except _Fallback:
            return Prepared(req.raw, headers, attempt)
        self.metrics.compression_seconds.labels(route=req.api).observe(time.perf_counter() - started)
        return self._prepared(req, attempt, result, headers)

    async def _compress(
        self, req: ChatRequest, attempt: Attempt, force_target: float | None
    ) -> CompactionResult:
        token = CURRENT_CALL.set(summary_call(self.settings, req, attempt.model, os.environ))
        try:
            result = await self.compactor.compact(
                req.body, req.api, attempt.model, attempt.limits, req.agent, force_target=force_target
            )
        except Exception as exc:  # fail open: the original goes upstream, loudly
            log.error(
                "compression.failed",
                error=type(exc).__name__,
                where=exc_where(exc),  # no message, no traceback: either may quote the prompt
                api=req.api,
                model=attempt.model,
            )
            self.metrics.compression_fallbacks.labels(reason="exception").inc()
            raise _Fallback from exc
        finally:
            CURRENT_CALL.reset(token)
        if result.note in ("invalid-output", "invalid-replay"):
            self.metrics.compression_fallbacks.labels(reason=result.note).inc()
        attempt.result = result
        attempt.target = force_target
        attempt.estimated(result.tokens_after, result.factor)
        return result

    def _prepared(
        self, req: ChatRequest, attempt: Attempt, result: CompactionResult, headers: dict[str, str]
    ) -> Prepared:
        headers["x-ctxproxy-tokens-before"] = str(result.tokens_before)
        headers["x-ctxproxy-tokens-after"] = str(result.tokens_after)
        headers["x-ctxproxy-strategy"] = result.strategy
        send = req.raw
        if result.compressed and result.body is not None:
            send = orjson.dumps(result.body)
            headers["x-ctxproxy-compressed"] = "1"
            kind = "replay" if result.reused_prefix else "fresh"
            self.metrics.compressions.labels(route=req.api, strategy=result.strategy, kind=kind).inc()
            self.metrics.tokens_saved.labels(route=req.api).inc(
                max(0, result.tokens_before - result.tokens_after)
            )
            if result.stages:
                headers["x-ctxproxy-stages"] = ",".join(name for name, _ in result.stages)
        self.stats.request(
            req.agent,
            attempt.model,
            tokens_before=result.tokens_before,
            tokens_after=result.tokens_after,
            compressed=send is not req.raw,
            fresh=not result.reused_prefix,
            reused_prefix=result.reused_prefix,
        )
        log.info(
            "compression.decided",
            model=attempt.model,
            api=req.api,
            compressed=send is not req.raw,
            tokens_before=result.tokens_before,
            tokens_after=result.tokens_after,
            budget=result.budget,
            stages=[n for n, _ in result.stages],
            reused_prefix=result.reused_prefix,
            note=result.note,
            ms=round(result.duration_ms, 3),
        )
        return Prepared(send, headers, attempt)

    async def _chain(self, req: ChatRequest, attempt: Attempt, headers: dict[str, str]) -> Prepared:
        """``previous_response_id``: the provider holds the history; ask it to compact near the limit."""
        upstream = req.route.upstream
        mode = upstream.settings.responses_compaction
        prev = str(req.body.get("previous_response_id"))
        size = await self.chains.size(prev)
        self.stats.request(
            req.agent,
            attempt.model,
            tokens_before=0,
            tokens_after=0,
            compressed=False,
            fresh=False,
            reused_prefix=False,
        )
        if size is None or mode == "off":
            return Prepared(req.raw, headers, attempt)
        policy = self.compactor.policy(attempt.model, req.agent)
        budget = input_budget(policy, get_adapter(req.api), req.body, attempt.limits)
        estimate = size + len(req.raw) // 4
        headers["x-ctxproxy-tokens-before"] = str(estimate)
        if estimate < policy.trigger * budget:
            return Prepared(req.raw, headers, attempt)
        body = dict(req.body)
        added = apply_native_compaction(body, mode, budget, policy.target)
        if added is None:
            return Prepared(req.raw, headers, attempt)
        headers["x-ctxproxy-native-compaction"] = added
        self.metrics.native_compactions.labels(upstream=upstream.name, mode=added).inc()
        self.stats.native_compaction(req.agent, attempt.model)
        return Prepared(orjson.dumps(body), headers, attempt)

    # -- retry -----------------------------------------------------------------------------
    async def retry(self, req: ChatRequest, prepared: Prepared, status: int, body: bytes) -> Prepared | None:
        attempt = prepared.attempt
        if attempt is None:
            return None
        overflow = detect_overflow(status, body, req.route.upstream.api)
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
                self._count_retry(req, attempt, upstream, "max_tokens")
                return again
        self._calibrate_from_overflow(attempt, overflow)
        previous_target = attempt.target or (
            attempt.result.target_tokens / attempt.result.budget
            if attempt.result and attempt.result.budget
            else None
        )
        base = previous_target or self.compactor.policy(attempt.model, req.agent).target
        limits = attempt.limits
        if overflow.limit and overflow.limit < limits.context_window:
            limits = Limits(
                overflow.limit,
                min(limits.max_input_tokens or overflow.limit, overflow.limit),
                limits.max_output_tokens,
                limits.unknown,
            )
        retry_attempt = Attempt(attempt.model, limits, None)
        try:
            result = await self._compress(req, retry_attempt, round(base * _RETRY_SHRINK, 4))
        except _Fallback:
            return None
        if not result.compressed or result.body is None:
            self.metrics.overflow_unrecovered.labels(upstream=upstream).inc()
            return None
        headers = dict(prepared.headers)
        headers["x-ctxproxy-context-window"] = str(limits.context_window)
        headers["x-ctxproxy-retried"] = overflow.kind
        again = self._prepared(req, retry_attempt, result, headers)
        if again.body == prepared.body:
            self.metrics.overflow_unrecovered.labels(upstream=upstream).inc()
            return None
        self._count_retry(req, attempt, upstream, overflow.kind)
        return again

    def _count_retry(self, req: ChatRequest, attempt: Attempt, upstream: str, kind: str) -> None:
        self.metrics.overflow_retries.labels(upstream=upstream, kind=kind).inc()
        self.stats.retry(req.agent, attempt.model)

    def _calibrate_from_overflow(self, attempt: Attempt, overflow: Overflow) -> None:
        actual = overflow.prompt or (
            overflow.requested - (overflow.completion or 0) if overflow.requested else None
        )
        if attempt.tokens is not None and actual:
            self.compactor.record_usage(attempt.model, attempt.tokens, actual, attempt.factor)

    # -- response --------------------------------------------------------------------------
    def tap(self, req: ChatRequest, prepared: Prepared, status: int) -> ResponseTap | None:
        attempt = prepared.attempt
        if attempt is None or status >= 400:
            return None

        def done(usage: Usage) -> None:
            self.stats.usage(req.agent, attempt.model, usage)
            if attempt.tokens is not None and usage.input_tokens:
                self.compactor.record_usage(attempt.model, attempt.tokens, usage.input_tokens, attempt.factor)
            if usage.response_id and usage.input_tokens is not None:
                self.chains.record(usage.response_id, usage.input_tokens, usage.output_tokens)

        return UsageTap(req.api, done)

    def stats_view(self) -> dict[str, Any]:
        return self.stats.view()


def _adapter(api: str) -> WireAdapter | None:
    try:
        return get_adapter(api)
    except ValueError:
        return None


class _Fallback(Exception):
    """The compactor failed; the request goes out unchanged."""
