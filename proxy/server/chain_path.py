"""A ``previous_response_id`` request: the provider holds the history, so the proxy can only
ask it to compact (``context_management``) or truncate when the chain nears the trigger.

Chain sizes come from :class:`~proxy.server.chains.ChainTracker`; the budget, trigger and
target from the compactor's :meth:`~proxy.compress.Compactor.native_plan` (the same input
budget as every other path).
"""

from __future__ import annotations

import orjson

from proxy.compress import Compactor
from proxy.observability.metrics import Metrics
from proxy.server.chains import ChainTracker, apply_native_compaction
from proxy.server.hooks import Attempt, ChatRequest, Prepared
from proxy.server.outcome import CompressionOutcome
from proxy.server.stats import Stats


class ChainPath:
    def __init__(self, compactor: Compactor, chains: ChainTracker, metrics: Metrics, stats: Stats) -> None:
        self.compactor = compactor
        self.chains = chains
        self.metrics = metrics
        self.stats = stats

    async def prepare(self, req: ChatRequest, attempt: Attempt) -> Prepared:
        plan = self.compactor.native_plan(req.body, req.api, attempt.model, attempt.limits, req.agent)
        attempt.target = plan.target
        outcome = CompressionOutcome(
            context_window=attempt.limits.context_window,
            strategy=plan.strategy if plan.enabled else "off",
        )
        if not plan.enabled:
            return Prepared(req.raw, outcome, attempt)
        upstream = req.route.upstream
        mode = upstream.settings.responses_compaction
        size = await self.chains.size(str(req.body.get("previous_response_id")))
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
            return Prepared(req.raw, outcome, attempt)
        estimate = size + len(req.raw) // 4
        outcome = outcome.amend(tokens_before=estimate)
        if not plan.due(estimate):
            return Prepared(req.raw, outcome, attempt)
        body = dict(req.body)
        added = apply_native_compaction(body, mode, plan.budget, plan.target)
        if added is None:
            return Prepared(req.raw, outcome, attempt)
        self.metrics.native_compactions.labels(upstream=upstream.name, mode=added).inc()
        self.stats.native_compaction(req.agent, attempt.model)
        return Prepared(orjson.dumps(body), outcome.amend(native_compaction=added), attempt)
