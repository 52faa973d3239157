"""The compactor: decide, compress in stages, validate, remember (see docs/compression.md)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

import structlog

from proxy.compress.bound import under_bound
from proxy.compress.breakpoints import place_breakpoints
from proxy.compress.cost import cache_ratios
from proxy.compress.extractive import ExtractiveSummarizer
from proxy.compress.invariants import new_violations
from proxy.compress.limits import Limits, input_budget
from proxy.compress.policy import CachePrices, Policy, drain_target, growth_per_turn, resolve_policy
from proxy.compress.remember import apply_state, new_state
from proxy.compress.replay import Replays
from proxy.compress.result import CompactionResult, Decision, NativePlan
from proxy.compress.run import Run, stage_context
from proxy.compress.stages import Stage, default_stages
from proxy.compress.stages.cut import whole_slots
from proxy.compress.state import CompactionState, StateStore, model_turns
from proxy.compress.summarizer import Summarizer, UpstreamCall
from proxy.compress.tokens import TokenCounter, count_images
from proxy.compress.tokens.estimate import ItemSamples
from proxy.config import CompressionSettings
from proxy.storage import KV, MemoryKV
from proxy.wire import Conversation, get_adapter
from proxy.wire.base import WireAdapter

log = structlog.get_logger("ctxproxy.compress")


class Compactor:
    """Compresses chat request bodies that near their model's input budget.

    One per app. The server uses three calls: :meth:`decide` (decide and compress),
    :meth:`native_plan` (a Responses chain held by the provider) and :meth:`record_usage`
    (calibration). :meth:`compress` is the engine underneath (the CLI and tests call it).
    Safe to call concurrently; state goes through ``kv``.
    """

    def __init__(
        self,
        settings: CompressionSettings,
        *,
        kv: KV | None = None,
        counter: TokenCounter | None = None,
        summarizer: Summarizer | None = None,
        stages: list[Stage] | None = None,
        state_ttl_s: float | None = 86400.0,
    ) -> None:
        self.settings = settings
        self.counter = counter or TokenCounter()
        self.summarizer: Summarizer = summarizer or ExtractiveSummarizer(self._count_tokens)
        self.stages = stages if stages is not None else default_stages()
        self._policies: dict[tuple[str, str | None], Policy] = {}
        self._prices: dict[tuple[str, str], CachePrices | None] = {}  # (model, api) → cache prices
        self.store = StateStore(kv if kv is not None else MemoryKV(max_items=10000), ttl_s=state_ttl_s)
        self.replays = Replays(self.counter, self.store, self.breakpoints)  # the next turn, O(new items)

    def _count_tokens(self, text: str, model: str) -> int:
        return self.counter.count_text(text, self.counter.encoding(model))

    # -- the server's interface: decide + compress, and calibrate --------------------------
    async def decide(
        self,
        raw: bytes,
        body: dict[str, Any],
        api: str,
        model: str,
        limits: Limits,
        agent: str,
        *,
        summary_to: UpstreamCall | None = None,
        force_target: float | None = None,
        samples: ItemSamples | None = None,
    ) -> Decision:
        """Decide and (when needed) compress one request: everything the server needs to know.

        ``raw``: the body's bytes (the cheap upper-bound check); ``summary_to``: where a
        ``mode: upstream`` summary goes, with the client's credentials; ``force_target``: a
        retry's tighter share of the budget (compacts even when the policy is off); ``samples``:
        the item list's sampled hashes, shared with the request's other memos.
        """
        policy = self.policy(model, agent)
        if force_target is None:
            if not policy.enabled:
                return Decision(False, policy.strategy, policy.target)
            if self.quick_skip(raw, body, api, model, limits, agent):
                # Certainly under the trigger: the (memoized, incremental) estimate only.
                tokens, factor = await self.estimate(body, api, model, agent, samples)
                return Decision(True, policy.strategy, policy.target, tokens, factor)
        target = policy.target if force_target is None else min(policy.target, force_target)
        try:
            result = await self.compress(
                body,
                api,
                model,
                limits,
                agent,
                force_target,
                summary_to,
                drain=force_target is None,
                samples=samples,
            )
        except Exception as exc:  # fail open: the caller reports it and sends the original
            return Decision(policy.enabled, policy.strategy, target, failure=exc)
        return Decision(policy.enabled, result.strategy, target, result.tokens_after, result.factor, result)

    def certainly_under(
        self,
        size: int,
        api: str,
        model: str,
        limits: Limits,
        agent: str | None,
        asked_output: int | None,
        parts: Callable[[], int],
    ) -> Policy | None:
        """The (enabled) policy when a body of ``size`` bytes, asking for ``asked_output`` output
        tokens and carrying ``parts()`` image/file parts, is certainly under its trigger
        (:func:`~proxy.compress.bound.under_bound`): nothing to decide, the original goes
        upstream and only the estimate is left (:meth:`estimate`, which the server runs while
        the upstream works). None: compression is off for this model/agent, or only
        :meth:`decide` can tell."""
        policy = self.policy(model, agent)
        if not policy.enabled:
            return None
        share = policy.target if self.prices(model, api) is not None else policy.trigger
        factor, price = self.counter.factor(model), get_adapter(api).image_tokens
        return (
            policy if under_bound(policy, limits, asked_output, size, share, factor, price, parts) else None
        )

    async def estimate(
        self, body: dict[str, Any], api: str, model: str, agent: str, samples: ItemSamples | None = None
    ) -> tuple[int, float]:
        """The (memoized, incremental) token estimate of a request and the factor it used."""
        tokens = await self.counter.estimate_request(api, body, model, scope=agent, samples=samples)
        return tokens, self.counter.factor(model)  # no await in between: the estimate's factor

    def native_plan(
        self, body: dict[str, Any], api: str, model: str, limits: Limits, agent: str
    ) -> NativePlan:
        """A ``previous_response_id`` request: the budget, trigger and target of its native compaction."""
        policy = self.policy(model, agent)
        budget = input_budget(policy, get_adapter(api), body, limits)
        return NativePlan(policy.enabled, policy.strategy, budget, policy.trigger, policy.target)

    def record_usage(self, model: str, estimated: int, actual: int, factor: float) -> None:
        """The provider's count for a body estimated at ``estimated``: corrects the model's factor."""
        self.counter.calibrate(model, estimated, actual, factor)

    async def warm(self, encodings: Iterable[str] | None = None) -> None:
        """Load tokenizer encodings ahead of the first request (in a worker thread)."""
        await (self.counter.warm() if encodings is None else self.counter.warm(encodings))

    # -- cheap decisions -------------------------------------------------------------------
    def policy(self, model: str, agent: str | None = None) -> Policy:
        """The effective policy (memoized: settings are immutable). Without per-agent settings
        every agent has its model's policy: one entry per model, however many agents."""
        key = (model, agent if self.settings.agents else None)
        policy = self._policies.get(key)
        if policy is None:
            if len(self._policies) >= 4096:
                self._policies.clear()
            policy = self._policies[key] = resolve_policy(self.settings, model, agent)
        return policy

    def quick_skip(
        self, raw: bytes, body: dict[str, Any], api: str, model: str, limits: Limits, agent: str | None = None
    ) -> bool:
        """True when the request is certainly under the trigger: forward it untouched
        (:func:`~proxy.compress.bound.under_bound`; a few microseconds at any size)."""
        if not self.policy(model, agent).enabled:
            return True
        adapter = get_adapter(api)
        parts = lambda: count_images(body.get(adapter.container))  # noqa: E731
        asked = adapter.reserved_output(body)
        return self.certainly_under(len(raw), api, model, limits, agent, asked, parts) is not None

    # -- the main entry point --------------------------------------------------------------
    async def compress(
        self,
        body: dict[str, Any],
        api: str,
        model: str,
        limits: Limits,
        agent: str | None = None,
        force_target: float | None = None,
        summary_to: UpstreamCall | None = None,
        drain: bool = False,
        samples: ItemSamples | None = None,
    ) -> CompactionResult:
        """Compress ``body`` if it crosses the trigger (or always, down to ``force_target``).

        Under the trigger: ``result.body is None`` (send the original bytes). A conversation
        compacted before replays its stored prefix byte for byte and appends the new items;
        it compacts again (incrementally) only when that crosses the trigger.
        """
        t0 = time.perf_counter()
        policy = self.policy(model, agent)
        if force_target is not None:
            policy = replace(policy, enabled=True, target=min(policy.target, force_target))
        adapter = get_adapter(api)
        budget = input_budget(policy, adapter, body, limits)
        trigger, target = int(policy.trigger * budget), int(policy.target * budget)
        live = drain and force_target is None
        prices = self.prices(model, api) if live else None
        run = Run(policy, budget, trigger, target, t0, summary_to, drain=live, prices=prices)

        if not policy.enabled:
            return run.unchanged(0, "disabled", 1.0)
        if force_target is None:  # the hot path: O(new items) for a conversation seen before
            estimate = await self.counter.estimate_request(api, body, model, agent or "", samples)
            if estimate <= run.consider:  # (the factor read here is the one the estimate used)
                return run.unchanged(estimate, None, self.counter.factor(model))
            replayed = await self.replays.next_turn(run, adapter, body, model, agent)
            if replayed is not None:  # a compacted conversation's next turn: O(new items)
                return replayed
        conv = adapter.parse(body)
        if force_target is not None:  # otherwise the estimate above already counted every text
            await self.counter.aprime(conv, model)
        tokens_before = self.counter.count_conversation(conv, model)
        factor = self.counter.factor(model)  # concurrent calibration may move it while we await
        if adapter.history_held_upstream(body):
            note = "previous_response_id: history is held by the provider"
            return run.unchanged(tokens_before, note, factor)
        items = body.get(adapter.container)
        if not isinstance(items, list) or not conv.groups:
            whole = await self._compact(run, adapter, conv, model, agent, (tokens_before, factor), None, None)
            return whole or run.unchanged(tokens_before, None, factor)

        key = self.store.key(api, model, agent, [m.raw for m in (*conv.head, *conv.groups[0].messages)])
        run = replace(run, thread=(key, model_turns(conv.messages())))
        state = await self.store.load(key)
        original = (tokens_before, factor)
        if state is None or not state.matches(items):
            fresh = await self._compact(run, adapter, conv, model, agent, original, key, None)
            return fresh or run.unchanged(tokens_before, None, factor)
        working = apply_state(adapter, conv, state)
        tokens_working = self.counter.count_conversation(working, model)
        if force_target is not None or tokens_working > run.consider:
            again = await self._compact(run, adapter, working, model, agent, original, key, state)
            if again is not None:
                return again
        rendered = adapter.render(working)
        out = self.breakpoints(adapter, rendered, working.summary)
        if new_violations(api, body, out):
            log.error("compaction.invalid_replay", api=api, model=model)
            return run.unchanged(tokens_before, "invalid-replay", factor)
        self.replays.remember(adapter, model, agent, key, conv, working, rendered, state)
        factor = self.counter.factor(model)  # no await since tokens_working was counted
        return run.result(out, tokens_before, tokens_working, [], reused_prefix=True, factor=factor)

    async def _compact(
        self,
        run: Run,
        adapter: WireAdapter,
        working: Conversation,
        model: str,
        agent: str | None,
        original: tuple[int, float],
        key: str | None,
        state: CompactionState | None,
    ) -> CompactionResult | None:
        """Run the stages until the target is met, validate, remember. ``original``: the
        original request's estimate and the factor it was scaled with. ``None``: under the
        trigger, and the cost model expects compacting now not to pay (send it as it is)."""
        tokens_before, factor_before = original
        ctx = stage_context(
            self.counter,
            self.summarizer,
            working,
            adapter,
            model,
            agent,
            run.policy,
            run.target,
            run.summary_to,
        )
        factor = self.counter.factor(model)
        if run.drain:  # live traffic: rare compactions, room for turns of this conversation's growth
            growth, trigger = growth_per_turn([s.tokens for s in ctx.slots]), int(run.trigger / factor)
            keep = ctx.fixed_raw + sum(ctx.slots[i].tokens for i in whole_slots(ctx))
            ctx.budget_raw = int(run.budget / factor)  # the task and newest turn give way only past it
            ctx.undrained_raw = ctx.target_raw
            ctx.target_raw = drain_target(run.policy, trigger, ctx.target_raw, growth, keep)
            ctx.measure_overflow()
            if run.waits(ctx, keep, growth, trigger):  # under the trigger, and early does not pay
                return None
        stages: list[tuple[str, int]] = []
        for stage in self.stages:
            if ctx.fits():
                break
            before = ctx.total()
            await stage.apply(ctx)
            saved = before - ctx.total()
            if saved:
                stages.append((stage.name, math.ceil(saved * factor)))
        final = working.with_groups(ctx.groups(), ctx.summary)
        body = working.body
        out = adapter.render(final)
        if out == body:  # nothing could shrink: the protected part alone exceeds the target
            return run.unchanged(tokens_before, "cannot-shrink", factor_before)
        out = self.breakpoints(adapter, out, final.summary)
        bad = new_violations(adapter.api, body, out)
        if bad:
            log.error("compaction.invalid_output", api=adapter.api, model=model, violations=sorted(bad))
            return run.unchanged(tokens_before, "invalid-output", factor_before)
        items = body.get(adapter.container)
        if key is not None and isinstance(items, list):
            await self.store.save(key, new_state(final, items, state))
        after = self.counter.count_conversation(final, model)
        return run.result(out, tokens_before, after, stages, factor=self.counter.factor(model))

    # -- helpers ---------------------------------------------------------------------------
    def prices(self, model: str, api: str) -> CachePrices | None:
        """The model's cache prices when ``cost_aware`` is on and its family's cache is known
        (memoized: the fast path asks on every request)."""
        key = (model, api)
        if key not in self._prices:
            if len(self._prices) >= 4096:
                self._prices.clear()
            ratios = cache_ratios(model, api) if self.settings.cost_aware else None
            self._prices[key] = None if ratios is None else CachePrices(*ratios)
        return self._prices[key]

    def breakpoints(self, adapter: WireAdapter, out: dict[str, Any], summary: str | None) -> dict[str, Any]:
        """Anthropic: cache breakpoints on the stable compacted prefix (``cache_breakpoints``)."""
        if not adapter.explicit_cache or not self.settings.cache_breakpoints:
            return out
        return place_breakpoints(out, summary)
