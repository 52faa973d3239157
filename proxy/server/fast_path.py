"""The fast path: a chat request certainly under its trigger goes upstream at once.

"Certainly under" is a proven bound, not an estimate: a text token covers at least one byte, so
``(body bytes + image parts × the API's image price) × the model's token factor`` bounds any
estimate the compactor could make (:meth:`Compactor.certainly_under`). Such a request is never
compressed, so nothing has to be decided before it is sent: the original bytes go upstream
unchecked, and the rest — the shape check, the token estimate, the stats — runs while the
upstream works (:meth:`FastPath.settle`). Its token headers go out when the estimate finished
before the upstream's response headers arrived; otherwise they are left out, never waited for.

A body whose fields have the wrong JSON types is the provider's to refuse on this path (its own
400 goes back unchanged); near or over the trigger the proxy checks the shape first, as before.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import structlog

from proxy.compress import Compactor
from proxy.compress.cost import Saving
from proxy.observability.where import exc_where
from proxy.server.hooks import Attempt, ChatRequest, Prepared
from proxy.server.outcome import CompressionOutcome
from proxy.server.stats import Stats
from proxy.tasks import BackgroundTasks
from proxy.wire import get_adapter

log = structlog.get_logger("ctxproxy.compression")


Bill = Callable[[ChatRequest, str, int], Saving | None]  # (request, model, tokens) → the cost model's bill


class FastPath:
    def __init__(self, compactor: Compactor, stats: Stats, bill: Bill | None = None) -> None:
        self.compactor = compactor
        self.stats = stats
        self.bill = bill
        self._tasks = BackgroundTasks("fast-path")  # the estimates running after their send

    def prepare(self, req: ChatRequest, attempt: Attempt) -> Prepared | None:
        """The original bytes, when the request is certainly under its trigger; else None
        (the caller decides as before). The estimate starts as a task of its own once the
        request went upstream (:attr:`Prepared.after_send`: even creating it costs the send)."""
        policy = self.compactor.certainly_under(
            req.raw, req.body, req.api, attempt.model, attempt.limits, req.agent
        )
        if policy is None:
            return None
        attempt.target = policy.target  # an overflow retry shrinks from here
        outcome = CompressionOutcome(context_window=attempt.limits.context_window, strategy=policy.strategy)
        prepared = Prepared(req.raw, outcome, attempt)
        prepared.after_send.append(lambda: self.start(req, prepared))
        return prepared

    def start(self, req: ChatRequest, prepared: Prepared) -> None:
        prepared.settling = self._tasks.spawn("settle", self.settle(req, prepared))

    async def settle(self, req: ChatRequest, prepared: Prepared) -> None:
        """What the decision would have done before the send: check, estimate, count. Never
        raises: nothing waits for it but the headers (if in time), the log line and the stats."""
        attempt = prepared.attempt
        assert attempt is not None, "the fast path always has an attempt"
        tokens: int | None = None
        try:
            if get_adapter(req.api).check(req.body) is None:  # else: the provider refuses it
                await asyncio.sleep(0)  # let an answer that arrived meanwhile through first
                tokens, factor = await self.compactor.estimate(req.body, req.api, attempt.model, req.agent)
                attempt.estimated(tokens, factor)
                prepared.outcome = prepared.outcome.amend(tokens_before=tokens, tokens_after=tokens)
        except Exception as exc:  # e.g. a part nested too deep to write back: no estimate
            log.info("estimate.skipped", error=type(exc).__name__, where=exc_where(exc), api=req.api)
        await asyncio.sleep(0)  # again: an answer that arrived meanwhile goes through first
        saving = self.bill(req, attempt.model, tokens or 0) if self.bill is not None else None
        self.stats.uncompressed(req.agent, attempt.model, tokens or 0, saving)

    async def drain(self) -> None:
        """Let the estimates still running finish (shutdown)."""
        await self._tasks.drain()
