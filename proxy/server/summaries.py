"""Wiring of the LLM summarizer into the live chat hooks: backend, metering, stats."""

from __future__ import annotations

from aiohttp import web

from proxy.appkeys import CATALOG, HTTP, KVSTORE, METRICS, SETTINGS
from proxy.compress.llm_summarizer import Completion, LLMSummarizer, SummaryBackend
from proxy.compress.summarizer import SummaryRequest
from proxy.compress.summary_backends import LiteLLMBackend, UpstreamBackend
from proxy.server.stats import Stats


async def build_llm_summarizer(app: web.Application, stats: Stats) -> LLMSummarizer:
    settings = app[SETTINGS].compression.summarizer
    metrics = app[METRICS]
    backend: SummaryBackend
    if settings.mode == "llm":
        llm = LiteLLMBackend(settings)
        await llm.start()
        backend = llm
    else:
        backend = UpstreamBackend(app[HTTP], pricing=lambda model: _prices(app, model))
    mode = backend.mode

    def spend(request: SummaryRequest, done: Completion) -> None:
        metrics.summary_tokens.labels(mode=mode, direction="input").inc(done.input_tokens)
        metrics.summary_tokens.labels(mode=mode, direction="output").inc(done.output_tokens)
        metrics.summary_cost.labels(mode=mode).inc(done.cost_usd)
        stats.summary(
            request.agent or "unknown", request.model, done.input_tokens + done.output_tokens, done.cost_usd
        )

    def outcome(name: str) -> None:
        metrics.summary_events.labels(mode=mode, outcome=name).inc()

    return LLMSummarizer(backend, settings, kv=app[KVSTORE], on_spend=spend, on_outcome=outcome)


def _prices(app: web.Application, model: str) -> tuple[float, float] | None:
    """USD per input / output token of ``model`` from the catalog, when it knows them."""
    catalog = app.get(CATALOG)
    if catalog is None:
        return None
    pricing = catalog.lookup(model).pricing
    if pricing.input is None and pricing.output is None:
        return None
    return (pricing.input or 0.0, pricing.output or 0.0)
