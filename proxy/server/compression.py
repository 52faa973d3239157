"""Compression on live traffic: the chat hooks the forwarder calls for every chat request.

prepare: catalog limits → the compactor's decision (:meth:`Compactor.decide`) → the body to
         send and its :class:`~proxy.server.outcome.CompressionOutcome`; a Responses chain
         (``previous_response_id``) goes to :mod:`proxy.server.chain_path`
retry:   an upstream context-length error → :mod:`proxy.server.overflow_retry`
tap:     usage from the response → token calibration, stats, Responses-chain sizes
"""

from __future__ import annotations

import os
import time

import orjson
import structlog

from proxy.catalog import Catalog, ModelInfo
from proxy.catalog.switches import RequestTraits
from proxy.compress import Compactor, Decision, UpstreamCall
from proxy.compress.cost import CachePricing, Saving
from proxy.compress.encodings import needed_encodings
from proxy.compress.limits import Limits
from proxy.compress.tokens.estimate import ItemSamples
from proxy.config import Settings
from proxy.observability.metrics import Metrics
from proxy.observability.where import exc_where
from proxy.server.bills import Bills, conversation_key
from proxy.server.chain_path import ChainPath
from proxy.server.chains import ChainTracker
from proxy.server.depth import DepthCheck
from proxy.server.errors import ProxyError
from proxy.server.fast_path import FastPath
from proxy.server.forwards import ForwardedPrefixes, PrefixCheck
from proxy.server.hooks import Attempt, ChatRequest, Prepared, ResponseTap
from proxy.server.outcome import CompressionOutcome
from proxy.server.overflow_retry import OverflowRetry
from proxy.server.request_body import check_depth
from proxy.server.stats import Stats
from proxy.server.summary_call import summary_call
from proxy.server.usage import Usage, UsageTap
from proxy.storage import MemoryKV
from proxy.storage.base import KV
from proxy.wire import get_adapter

log = structlog.get_logger("ctxproxy.compression")


def model_of(req: ChatRequest) -> str:
    return get_adapter(req.api).model_id(req.body, req.route.raw_tail)


class CompressionHooks:
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
        self.chain_path = ChainPath(compactor, self.chains, metrics, stats)
        self.overflow = OverflowRetry(compactor, metrics, stats, catalog, self)
        shared = settings.storage.backend == "redis"
        self.forwards = ForwardedPrefixes(kv or MemoryKV(), settings.storage.ttl_s, shared_store=shared)
        self.bills = Bills()  # each conversation's previous request, for the cost model
        self.fast = FastPath(
            compactor,
            stats,
            lambda req, model, tokens: self.bill(req, model, tokens, tokens, None),
            self.limits,
            per_agent=bool(settings.compression.agents),
        )
        self.early = self.fast.early  # the fast path from the bytes (:meth:`ChatHooks.early`)
        self.depth = DepthCheck()
        self._limits: dict[int, tuple[ModelInfo, Limits]] = {}  # catalog entry → its Limits

    # -- limits ----------------------------------------------------------------------------
    def limits(self, model: str, upstream: str, request: RequestTraits | None = None) -> Limits:
        if self.catalog is not None:
            info = self.catalog.lookup(model, upstream, request)
            known = self._limits.get(id(info))
            if known is not None and known[0] is info:  # the same catalog entry as last time
                return known[1]
            limits = Limits(info.context_window, info.max_input_tokens, info.max_output_tokens, info.unknown)
            if len(self._limits) >= 4096:
                self._limits.clear()
            self._limits[id(info)] = (info, limits)  # (holding the entry: its id is not reused)
            return limits
        c = self.settings.catalog
        return Limits(c.default_context_window, None, c.default_max_output_tokens, True)

    # -- prepare ---------------------------------------------------------------------------
    async def prepare(self, req: ChatRequest) -> Prepared:
        started = time.perf_counter()
        model = model_of(req)
        self.fast.hints.put(req.raw, model)
        # The window can depend on what the request asked for (anthropic-beta: context-1m-…).
        limits = self.limits(model, req.route.upstream.name, RequestTraits.from_headers(req.headers))
        attempt = Attempt(model, limits)
        adapter = get_adapter(req.api)
        if not adapter.history_held_upstream(req.body):
            fast = self.fast.prepare(req, attempt)  # certainly under the trigger: send it now
            if fast is not None:
                return fast
        items = req.body.get(adapter.container)
        samples = ItemSamples(items) if isinstance(items, list) else None  # hashed once for both memos
        # Depth (the compactor may write it back) and shape (refused before anything parses
        # it; a retry compacts too), each history item once per conversation.
        self.depth.check(req.raw, req.body, req.api, req.agent, samples, shape=True)
        if adapter.history_held_upstream(req.body):
            return await self.chain_path.prepare(req, attempt)
        decision = await self.decide(req, attempt, None, samples)
        window, strategy = limits.context_window, decision.strategy if decision.enabled else "off"
        if decision.failure is not None or not decision.enabled:
            return Prepared(req.raw, CompressionOutcome(context_window=window, strategy=strategy), attempt)
        if decision.result is None:
            # Certainly under the trigger. The token headers still carry the (memoized,
            # incremental) estimate: cheap for a resent history, exact for OpenAI families.
            tokens = decision.tokens
            outcome = CompressionOutcome(
                context_window=window, strategy=strategy, tokens_before=tokens, tokens_after=tokens
            )
            under = Prepared(req.raw, outcome, attempt)
            under.after_send.append(lambda: self._count_uncompressed(req, under, model, tokens or 0))
            return under
        check = await self.check_prefix(req, decision)
        seconds = time.perf_counter() - started
        prepared = self.prepared(
            req, attempt, decision, CompressionOutcome(context_window=window, strategy=strategy), check
        )
        observe = self.metrics.compression_seconds.labels(route=req.api).observe
        prepared.after_send.append(lambda: observe(seconds))
        return prepared

    def _count_uncompressed(self, req: ChatRequest, prepared: Prepared, model: str, tokens: int) -> None:
        """Stats and the bill of a request sent as it came (after the send)."""
        saving = self.bill(req, model, tokens, tokens, None)
        self.stats.uncompressed(req.agent, model, tokens, saving)
        if saving is not None:
            prepared.outcome = prepared.outcome.amend(saved_usd=round(saving.saved, 8))

    async def check_prefix(self, req: ChatRequest, decision: Decision) -> PrefixCheck | None:
        """A compressed body against the previous one forwarded in its conversation (any replica)."""
        body, result = decision.body, decision.result
        if body is None or result is None or result.thread is None:
            return None
        items = body.get(get_adapter(req.api).container)
        if not isinstance(items, list):
            return None
        return await self.forwards.check(*result.thread, items)

    async def decide(
        self,
        req: ChatRequest,
        attempt: Attempt,
        force_target: float | None,
        samples: ItemSamples | None = None,
    ) -> Decision:
        """The compactor's decision for ``attempt`` (recorded on it). A compaction that raised
        is logged and counted here: the original goes upstream (fail open), loudly."""
        decision = await self.compactor.decide(
            req.raw,
            req.body,
            req.api,
            attempt.model,
            attempt.limits,
            req.agent,
            summary_to=self._summary_to(req, attempt.model),
            force_target=force_target,
            samples=samples,
        )
        attempt.target = decision.target
        exc = decision.failure
        if exc is not None:
            log.error(
                "compression.failed",
                error=type(exc).__name__,
                where=exc_where(exc),  # no message, no traceback: either may quote the prompt
                api=req.api,
                model=attempt.model,
            )
            self.metrics.compression_fallbacks.labels(reason="exception").inc()
            return decision
        result = decision.result
        if result is not None and result.note in ("invalid-output", "invalid-replay"):
            self.metrics.compression_fallbacks.labels(reason=result.note).inc()
        if decision.tokens is not None:
            attempt.estimated(decision.tokens, decision.factor)
        return decision

    def _summary_to(self, req: ChatRequest, model: str) -> UpstreamCall | None:
        """``summarizer.mode: upstream``: this request's destination and credentials."""
        if self.settings.compression.summarizer.mode != "upstream":
            return None
        return summary_call(self.settings, req, model, os.environ)

    def prepared(
        self,
        req: ChatRequest,
        attempt: Attempt,
        decision: Decision,
        outcome: CompressionOutcome,
        check: PrefixCheck | None = None,
    ) -> Prepared:
        """A compaction run's decision: the body to send and its headers; its stats, bill and
        decision log line are left for after the send (:attr:`Prepared.after_send`)."""
        result = decision.result
        assert result is not None, "prepared() renders a compaction run"
        outcome = outcome.amend(
            tokens_before=result.tokens_before, tokens_after=result.tokens_after, strategy=result.strategy
        )
        send = req.raw
        if decision.body is not None:
            send = orjson.dumps(decision.body)
            outcome = outcome.amend(compressed=True)
            kind = "replay" if result.reused_prefix else "fresh"
            self.metrics.compressions.labels(route=req.api, strategy=result.strategy, kind=kind).inc()
            self.metrics.tokens_saved.labels(route=req.api).inc(
                max(0, result.tokens_before - result.tokens_after)
            )
            if result.stages:
                outcome = outcome.amend(stages=tuple(name for name, _ in result.stages))
        prepared = Prepared(send, outcome, attempt)
        prepared.after_send.append(lambda: self._count_run(req, prepared, decision, check))
        return prepared

    def _count_run(
        self, req: ChatRequest, prepared: Prepared, decision: Decision, check: PrefixCheck | None
    ) -> None:
        """A compaction run's stats, bill and decision log line (after the send)."""
        result, attempt, send = decision.result, prepared.attempt, prepared.body
        assert result is not None and attempt is not None, "a compaction run's prepared request"
        saving = self.bill(req, attempt.model, result.tokens_before, result.tokens_after, decision, send)
        self.stats.request(
            req.agent,
            attempt.model,
            tokens_before=result.tokens_before,
            tokens_after=result.tokens_after,
            compressed=send is not req.raw,
            fresh=not result.reused_prefix,
            reused_prefix=check is not None and check.stable,
            prefix_unverified=check is not None and check.unverified,
            prefix_shared=check is not None and check.shared,
            saving=saving,
        )
        if saving is not None:
            prepared.outcome = prepared.outcome.amend(saved_usd=round(saving.saved, 8))
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
            prefix_stable=None if check is None else check.stable,
            saved_usd=None if saving is None else round(saving.saved, 8),
            note=result.note,
            ms=round(result.duration_ms, 3),
        )
        if send is req.raw:  # sent as it came: its next body may be decided from its prefix
            self.fast.record_later(req, attempt.model)

    def pricing(self, model: str, api: str) -> CachePricing | None:
        if self.catalog is None:
            return None
        price = self.catalog.lookup(model).pricing
        return CachePricing.of(model, price.input, price.cached_input, None, api)

    def bill(
        self,
        req: ChatRequest,
        model: str,
        before: int,
        after: int,
        decision: Decision | None,
        send: bytes | None = None,
    ) -> Saving | None:
        """The cost model's bill for this request (``None``: the price is unknown)."""
        adapter = get_adapter(req.api)
        items = req.body.get(adapter.container)
        original = items if isinstance(items, list) else None
        sent_body = decision.body if decision is not None and send is not req.raw else None
        sent = sent_body.get(adapter.container) if sent_body is not None else None
        client_marks = not adapter.explicit_cache or b'"cache_control"' in req.raw
        marks = client_marks or (sent_body is not None and self.settings.compression.cache_breakpoints)
        try:  # the fast path sends a body unchecked: one nested too deep to write goes unpriced
            return self.bills.price(
                conversation_key(req.agent, model, items),
                self.pricing(model, req.api),
                tokens_before=before,
                tokens_after=after,
                original=original,
                sent=sent if isinstance(sent, list) else None,
                sent_bytes=len(send) if send is not None and sent_body is not None else len(req.raw),
                breakpoints_before=client_marks,
                breakpoints_after=marks,
            )
        except orjson.JSONEncodeError:
            return None

    # -- retry -----------------------------------------------------------------------------
    async def retry(self, req: ChatRequest, prepared: Prepared, status: int, body: bytes) -> Prepared | None:
        prepared.flush()  # (the forwarder did)
        if prepared.settling is not None:  # the fast path sent it unchecked
            await prepared.settling.finish()
            if get_adapter(req.api).check(req.body) is not None:
                return None  # the provider's own error about a malformed body goes back
            try:
                check_depth(req.raw, req.body)
            except ProxyError:
                return None
        return await self.overflow.retry(req, prepared, status, body)

    # -- response --------------------------------------------------------------------------
    def tap(self, req: ChatRequest, prepared: Prepared, status: int) -> ResponseTap | None:
        attempt = prepared.attempt
        if attempt is None or status >= 400:
            return None

        def done(usage: Usage) -> None:
            req.complete()  # (the fast path from the bytes: the agent, if only the body names it)
            self.stats.usage(req.agent, attempt.model, usage)
            if attempt.tokens is not None and usage.input_tokens:
                self.compactor.record_usage(attempt.model, attempt.tokens, usage.input_tokens, attempt.factor)
            if usage.response_id and usage.input_tokens is not None:
                self.chains.record(usage.response_id, usage.input_tokens, usage.output_tokens)

        return UsageTap(req.api, done)

    def encodings(self) -> list[str]:
        return needed_encodings(self.settings)

    async def warm(self, encodings: list[str]) -> None:
        await self.compactor.warm(encodings)

    async def close(self) -> None:
        await self.fast.drain()
        await self.chains.drain()
