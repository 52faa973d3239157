"""The fast path: a chat request certainly under its trigger goes upstream at once.

"Certainly under" is a proven bound, not an estimate: a text token covers at least one byte, so
``(body bytes + image parts × the API's image price) × the model's token factor`` bounds any
estimate the compactor could make (:meth:`Compactor.certainly_under`). Such a request is never
compressed, so nothing has to be decided before it is sent: the original bytes go upstream
unchecked, and the rest — the shape check, the token estimate, the stats — runs while the
upstream works (:class:`Settle`). Its token headers go out when the estimate finished before the
upstream's response headers arrived; otherwise they are left out, never waited for.

"While the upstream works" starts :data:`SETTLE_AFTER_S` after the send. The work shares the
event loop with relaying the answer, so an upstream that answers sooner than that (an error, a
cached reply, a local server) would wait for it; such an answer is relayed first and the work
runs right after it, before the log line. A model's first token comes far later: there the
estimate is long done when the answer arrives.

Near the trigger the bytes bound nothing, but a conversation's next body starts with its previous
body's prefix (:mod:`proxy.server.skim_memo`), whose tokens are counted after that body went out
(:meth:`FastPath.count_prefix`): the prefix's tokens plus one per byte after it (plus each new
item's overhead and image parts) bound the next body's estimate (:meth:`FromPrefix.token_bound`),
and under the trigger it takes this path too.

A body whose fields have the wrong JSON types is the provider's to refuse on this path (its own
400 goes back unchanged); for the other bodies near or over the trigger the proxy checks the
shape first, as before.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import orjson
import structlog

from proxy.catalog.switches import RequestTraits
from proxy.compress import Compactor
from proxy.compress.cost import Saving
from proxy.compress.encodings import encoding_name_for
from proxy.compress.limits import Limits
from proxy.compress.tokens import count_images
from proxy.compress.tokens.estimate import ItemSamples
from proxy.observability.where import exc_where
from proxy.server.depth import DepthCheck
from proxy.server.errors import ProxyError
from proxy.server.hooks import Attempt, ChatRequest, Prepared
from proxy.server.outcome import CompressionOutcome
from proxy.server.skim import ModelHints, skim
from proxy.server.skim_memo import MIN_SIZE, RECOUNT, Checkpoints, FromPrefix, Prefix
from proxy.server.stats import Stats
from proxy.tasks import BackgroundTasks
from proxy.wire import get_adapter
from proxy.wire.base import PerItemAdapter

log = structlog.get_logger("ctxproxy.compression")

# How long after the send the fast path's estimate starts, unless the answer came first.
SETTLE_AFTER_S = 0.005


Bill = Callable[[ChatRequest, str, int], Saving | None]  # (request, model, tokens) → the cost model's bill
LimitsOf = Callable[[str, str, RequestTraits | None], Limits]  # (model, upstream, request) → limits


class FastPath:
    def __init__(
        self,
        compactor: Compactor,
        stats: Stats,
        bill: Bill | None = None,
        limits: LimitsOf | None = None,
        *,
        per_agent: bool = False,
    ) -> None:
        self.compactor = compactor
        self.stats = stats
        self.bill = bill
        self.limits = limits  # None: no fast path from the bytes (:meth:`early`)
        self.per_agent = per_agent  # per-agent settings: the policy needs the agent
        self.hints = ModelHints()  # a body's first bytes → the model its last body named
        self.prefixes = Checkpoints()  # a conversation's last body: skim only what is new
        self.tasks = BackgroundTasks("fast-path")  # the estimates running after their send
        self.shapes = DepthCheck()  # the shape checks after the send, once per history item

    def early(self, req: ChatRequest) -> Prepared | None:
        """The fast path from the bytes (:func:`~proxy.server.skim.skim`), before any parse;
        None: parse and decide as before. A conversation's next body is read from its previous
        body's recorded prefix, and is under when its bytes are, or (near the trigger) when the
        prefix's counted tokens plus the bytes after it are. Without such a prefix it is not
        tried when the model the last body with the same first bytes named shows this one too
        big to be certainly under (the parse is needed anyway), nor when per-agent settings need
        an agent only the parsed body can name."""
        if self.limits is None or (req.agent_source == "pending" and self.per_agent):
            return None
        upstream, traits = req.route.upstream.name, RequestTraits.from_headers(req.headers)
        tail = req.route.raw_tail
        seen, record = self.prefixes.from_prefix(req.api, req.raw, tail)  # a conversation's next body
        if seen is None and not self._may_fit(req, upstream, traits):
            return None
        read = seen.skim if seen is not None else skim(req.api, req.raw, tail)
        if read is None or read.held_upstream:
            return None
        self.hints.put(req.raw, read.model)
        attempt = Attempt(read.model, self.limits(read.model, upstream, traits))
        prepared = self._under(req, attempt, read.asked_output, lambda: read.images)
        counted = prepared is None and seen is not None
        if seen is not None and counted:  # near the trigger: the prefix's tokens, the bytes after it
            prepared = self._under_counted(req, attempt, read.asked_output, seen)
            record = record or seen.new_bytes > RECOUNT  # (keep the next bound tight)
        if prepared is not None and isinstance(prepared.settling, Settle):
            prepared.settling.record, prepared.settling.count = record, counted
        return prepared

    def _may_fit(self, req: ChatRequest, upstream: str, traits: RequestTraits | None) -> bool:
        """False when the model the last body with the same first bytes named shows this one
        too big to be certainly under by its bytes (asking for 1 output token, with no image:
        the most room there is); True when there is no such model."""
        hint = self.hints.get(req.raw)
        if hint is None:
            return True
        limits = self.limits(hint, upstream, traits) if self.limits is not None else None
        return limits is not None and (
            self.compactor.certainly_under(len(req.raw), req.api, hint, limits, req.agent, 1, _no_parts)
            is not None
        )

    def _under_counted(
        self, req: ChatRequest, attempt: Attempt, asked: int | None, seen: FromPrefix
    ) -> Prepared | None:
        """:meth:`_under` from the prefix's counted tokens (:meth:`FromPrefix.token_bound`)."""
        adapter = get_adapter(req.api)
        if not isinstance(adapter, PerItemAdapter):  # (Gemini pairs calls across items)
            return None
        bound = seen.token_bound(encoding_name_for(attempt.model), adapter.message_overhead)
        if bound is None:
            return None
        return self._under(req, attempt, asked, lambda: seen.new_images, size=bound)

    def record_later(self, req: ChatRequest, model: str) -> None:
        """After a parsed request under its trigger went out: record its prefix and count it
        (:data:`SETTLE_AFTER_S` later, a task of its own), when :meth:`Checkpoints.due`; its
        next body may then be decided from the prefix's tokens."""
        if (
            self.limits is None
            or len(req.raw) < MIN_SIZE
            or not isinstance(get_adapter(req.api), PerItemAdapter)
        ):
            return
        asyncio.get_running_loop().call_later(SETTLE_AFTER_S, self._spawn_record, req, model)

    def _spawn_record(self, req: ChatRequest, model: str) -> None:
        self.tasks.spawn("record", self._record(req, model))

    async def _record(self, req: ChatRequest, model: str) -> None:
        try:
            if self.prefixes.due(req.api, req.raw):
                prefix = self.prefixes.record(req.api, req.raw, req.body)
                if prefix is not None:
                    await self.count_prefix(req.api, prefix, model)
        except Exception as exc:  # bookkeeping only
            log.info("prefix.skipped", error=type(exc).__name__, where=exc_where(exc), api=req.api)

    async def count_prefix(self, api: str, prefix: Prefix, model: str) -> None:
        """The token estimate of ``prefix`` closed as a body (its items and the fields before
        them), as the parsing path counts it, for the next body's bound near the trigger."""
        if not isinstance(get_adapter(api), PerItemAdapter):
            return
        try:
            body = orjson.loads(prefix.raw + b"]}")
        except orjson.JSONDecodeError:
            return
        if isinstance(body, dict):
            prefix.tokens = (
                encoding_name_for(model),
                await self.compactor.counter.raw_tokens(api, body, model),
            )

    def prepare(self, req: ChatRequest, attempt: Attempt) -> Prepared | None:
        """The original bytes, when the (parsed) request is certainly under its trigger; else
        None (the caller decides as before)."""
        adapter = get_adapter(req.api)
        parts = lambda: count_images(req.body.get(adapter.container))  # noqa: E731
        return self._under(req, attempt, adapter.reserved_output(req.body), parts)

    def _under(
        self,
        req: ChatRequest,
        attempt: Attempt,
        asked: int | None,
        parts: Callable[[], int],
        size: int | None = None,
    ) -> Prepared | None:
        """Certainly under when ``size`` (the body's bytes, or a token bound) and ``parts()``
        are. The rest waits for the send (:attr:`Prepared.after_send` arms it: even creating a
        task costs the send)."""
        size = len(req.raw) if size is None else size
        model, limits = attempt.model, attempt.limits
        policy = self.compactor.certainly_under(size, req.api, model, limits, req.agent, asked, parts)
        if policy is None:
            return None
        attempt.target = policy.target  # an overflow retry shrinks from here
        outcome = CompressionOutcome(context_window=attempt.limits.context_window, strategy=policy.strategy)
        prepared = Prepared(req.raw, outcome, attempt)
        settle = prepared.settling = Settle(self, req, prepared)
        prepared.after_send.append(settle.arm)
        return prepared

    async def settle(
        self, req: ChatRequest, prepared: Prepared, yielding: bool, record: bool = False, count: bool = False
    ) -> None:
        """What the decision would have done before the send: check, estimate, count. Never
        raises: nothing waits for it but the headers (if in time), the log line and the stats.
        ``yielding``: step aside between the steps for an answer that arrived meanwhile."""
        attempt = prepared.attempt
        assert attempt is not None, "the fast path always has an attempt"
        tokens: int | None = None
        try:
            req.complete()  # (sent before it was parsed: parse it now)
            items = req.body.get(get_adapter(req.api).container)
            samples = ItemSamples(items) if isinstance(items, list) else None  # (hashed once for both)
            if self._shape_ok(req, samples):  # else: the provider refuses it
                if yielding:
                    await asyncio.sleep(0)
                tokens, factor = await self.compactor.estimate(
                    req.body, req.api, attempt.model, req.agent, samples
                )
                attempt.estimated(tokens, factor)
                prepared.outcome = prepared.outcome.amend(tokens_before=tokens, tokens_after=tokens)
                if record:  # (sent from its bytes: the next body of this conversation skims less)
                    if yielding:
                        await asyncio.sleep(0)
                    prefix = self.prefixes.record(req.api, req.raw, req.body)
                    if prefix is not None and count:  # (near the trigger: the next bound counts it)
                        await self.count_prefix(req.api, prefix, attempt.model)
        except Exception as exc:  # e.g. a part nested too deep to write back: no estimate
            log.info("estimate.skipped", error=type(exc).__name__, where=exc_where(exc), api=req.api)
        if yielding:
            await asyncio.sleep(0)
        saving = self.bill(req, attempt.model, tokens or 0) if self.bill is not None else None
        self.stats.uncompressed(req.agent, attempt.model, tokens or 0, saving)

    def _shape_ok(self, req: ChatRequest, samples: ItemSamples | None) -> bool:
        """The adapter's shape check (:meth:`~proxy.wire.base.ChatAPI.check`), a resent
        history's new items only; not the depth (a body sent as it came is never written)."""
        try:
            self.shapes.check(req.raw, req.body, req.api, req.agent, samples, shape=True, depth=False)
        except ProxyError:
            return False
        return True

    async def drain(self) -> None:
        """Let the estimates still running finish (shutdown)."""
        await self.tasks.drain()


def _no_parts() -> int:
    return 0


class Settle:
    """One fast-path request's work after its send (:class:`~proxy.server.hooks.Settling`):
    armed once the request left, it starts :data:`SETTLE_AFTER_S` later as a task of its own,
    unless :meth:`finish` (the answer went out, or a retry needs the check) runs it first."""

    def __init__(self, fast: FastPath, req: ChatRequest, prepared: Prepared) -> None:
        self._fast, self._req, self._prepared = fast, req, prepared
        self._timer: asyncio.TimerHandle | None = None
        self._task: asyncio.Task[None] | None = None
        self._started = False
        self._done = False
        self.record = False  # keep the body's prefix for the next one (:class:`Checkpoints`)
        self.count = False  # and count its tokens (decided near the trigger from a counted prefix)

    @property
    def done(self) -> bool:
        return self._done

    def arm(self) -> None:
        """The request went upstream: start once the upstream has had time to answer."""
        if not self._started and self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(SETTLE_AFTER_S, self._start)

    def _start(self) -> None:
        self._timer, self._started = None, True
        self._task = self._fast.tasks.spawn("settle", self._run(yielding=True))

    async def finish(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._task is not None:
            await asyncio.shield(self._task)  # (a cancelled caller leaves it running)
        elif not self._started:
            self._started = True
            await self._run(yielding=False)  # nothing left to step aside for

    async def _run(self, yielding: bool) -> None:
        try:
            await self._fast.settle(self._req, self._prepared, yielding, self.record, self.count)
        finally:
            self._done = True
