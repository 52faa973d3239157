"""The compactor: decide, compress in stages, validate, remember (see docs/compression.md)."""

from __future__ import annotations

import logging
import math
import time
from dataclasses import replace
from typing import Any

from proxy.compress.extractive import ExtractiveSummarizer
from proxy.compress.invariants import new_violations
from proxy.compress.policy import Policy, resolve_policy
from proxy.compress.result import CompactionResult
from proxy.compress.stages import Slot, Stage, StageContext, default_stages
from proxy.compress.state import CompactionState, StateStore, items_hash
from proxy.compress.summarizer import Summarizer
from proxy.compress.tokens import IMAGE_TOKENS, TokenCounter
from proxy.config import CompressionSettings
from proxy.storage import KV, MemoryKV
from proxy.wire import Conversation, Group, get_adapter
from proxy.wire.base import WireAdapter

log = logging.getLogger(__name__)


class Compactor:
    """Compresses chat request bodies that near their model's input budget.

    One per app. ``compress`` is safe to call concurrently; state goes through ``kv``.
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
        self.summarizer: Summarizer = summarizer or ExtractiveSummarizer()
        self.stages = stages if stages is not None else default_stages()
        self.store = StateStore(kv if kv is not None else MemoryKV(max_items=10000), ttl_s=state_ttl_s)

    # -- cheap decisions -------------------------------------------------------------------
    def policy(self, model: str, agent: str | None = None) -> Policy:
        return resolve_policy(self.settings, model, agent)

    def budget(
        self,
        adapter: WireAdapter,
        body: dict[str, Any],
        policy: Policy,
        context_window: int,
        max_input_tokens: int | None,
        default_max_output: int | None,
    ) -> int:
        reserved = adapter.reserved_output(body) or default_max_output or min(4096, context_window // 8)
        return policy.budget(context_window, max_input_tokens, reserved)

    def quick_skip(
        self,
        raw: bytes,
        body: dict[str, Any],
        api: str,
        model: str,
        context_window: int,
        max_input_tokens: int | None = None,
        default_max_output: int | None = None,
        agent: str | None = None,
    ) -> bool:
        """True when the request is certainly under the trigger: forward it untouched.

        Upper bound without tokenizing: a token covers at least one byte of the body, plus a
        fixed allowance per image. Costs a few microseconds at any size.
        """
        policy = self.policy(model, agent)
        if not policy.enabled:
            return True
        adapter = get_adapter(api)
        budget = self.budget(adapter, body, policy, context_window, max_input_tokens, default_max_output)
        limit = policy.trigger * budget
        factor = self.counter.factor(model)
        if len(raw) * factor > limit:  # too big to decide without counting
            return False
        images = raw.count(b"image")  # any image part: "image_url", "input_image", "image"
        upper = (len(raw) + images * IMAGE_TOKENS.get(api, 1600)) * factor
        return upper <= limit

    # -- the main entry point --------------------------------------------------------------
    async def compress(
        self,
        body: dict[str, Any],
        api: str,
        model: str,
        context_window: int,
        max_input_tokens: int | None = None,
        default_max_output: int | None = None,
        agent: str | None = None,
        force_target: float | None = None,
    ) -> CompactionResult:
        """Compress ``body`` if it crosses the trigger (or always, down to ``force_target``)."""
        t0 = time.perf_counter()
        policy = self.policy(model, agent)
        if force_target is not None:
            policy = replace(policy, enabled=True, target=min(policy.target, force_target))
        adapter = get_adapter(api)
        budget = self.budget(adapter, body, policy, context_window, max_input_tokens, default_max_output)
        trigger_tokens = int(policy.trigger * budget)
        target_tokens = int(policy.target * budget)

        def unchanged(tokens: int, note: str | None) -> CompactionResult:
            return CompactionResult(
                None,
                False,
                tokens,
                tokens,
                budget,
                policy.strategy,
                [],
                False,
                tokens <= budget,
                trigger_tokens,
                target_tokens,
                note,
                (time.perf_counter() - t0) * 1e3,
            )

        if not policy.enabled:
            return unchanged(0, "disabled")
        if force_target is None:  # the hot path: O(new items) for a conversation seen before
            estimate = await self.counter.estimate_request(api, body, model, scope=agent or "")
            if estimate <= trigger_tokens:
                return unchanged(estimate, None)
        conv = adapter.parse(body)
        if force_target is not None:  # otherwise the estimate above already counted every text
            await self.counter.aprime(conv, model)
        tokens_before = self.counter.count_conversation(conv, model)
        if api == "openai-responses" and body.get("previous_response_id"):
            return unchanged(tokens_before, "previous_response_id: history is held by the provider")
        items = body.get(adapter.container)
        if not isinstance(items, list):
            items = None

        key = None
        state = None
        working = conv
        if items is not None and conv.groups:
            stable = [m.raw for m in conv.head] + [m.raw for m in conv.groups[0].messages]
            key = self.store.key(api, model, agent, stable)
            state = await self.store.load(key)
            if state is not None and state.matches(items):
                working = self.apply_state(adapter, conv, state)
            else:
                state = None
        tokens_working = self.counter.count_conversation(working, model) if state else tokens_before

        if force_target is None and tokens_working <= trigger_tokens:
            if state is None:  # the sampled estimate was stale: the full count says no work
                return unchanged(tokens_before, None)
            out = adapter.render(working)
            if new_violations(api, body, out):
                log.error("compaction state replay produced an invalid request; sending the original")
                return unchanged(tokens_before, "invalid-replay")
            return CompactionResult(
                out,
                True,
                tokens_before,
                tokens_working,
                budget,
                policy.strategy,
                [],
                True,
                True,
                trigger_tokens,
                target_tokens,
                None,
                (time.perf_counter() - t0) * 1e3,
            )

        ctx = self.context(working, adapter, model, agent, policy, target_tokens)
        stages: list[tuple[str, int]] = []
        factor = self.counter.factor(model)
        for stage in self.stages:
            if ctx.fits():
                break
            before = ctx.total()
            await stage.apply(ctx)
            saved = before - ctx.total()
            if saved:
                stages.append((stage.name, math.ceil(saved * factor)))
        final = ctx.conversation()
        out = adapter.render(final)
        bad = new_violations(api, body, out)
        if bad:
            log.error(
                "compaction produced an invalid request (%s); sending the original", ",".join(sorted(bad))
            )
            return unchanged(tokens_before, "invalid-output")
        tokens_after = self.counter.count_conversation(final, model)
        if items is not None and key is not None:
            await self.store.save(key, self.new_state(final, items, state))
        return CompactionResult(
            out,
            True,
            tokens_before,
            tokens_after,
            budget,
            policy.strategy,
            stages,
            False,
            tokens_after <= target_tokens,
            trigger_tokens,
            target_tokens,
            None,
            (time.perf_counter() - t0) * 1e3,
        )

    # -- helpers ---------------------------------------------------------------------------
    def apply_state(self, adapter: WireAdapter, conv: Conversation, state: CompactionState) -> Conversation:
        """The request with the remembered compaction applied to its first ``state.n`` items."""
        messages = conv.messages()  # in item order: index i is item i
        order = sorted(state.edits)
        for i, msg in zip(order, adapter.parse_items([state.edits[i] for i in order]), strict=True):
            messages[i] = replace(msg, index=i, tool_name=msg.tool_name or messages[i].tool_name)
        kept = [m for m in messages if m.index not in state.removed]
        return replace(adapter.build(conv.body, kept), summary=state.summary)

    def new_state(
        self, final: Conversation, items: list[Any], previous: CompactionState | None
    ) -> CompactionState:
        kept: dict[int, Any] = {}
        for m in final.messages():
            if m.index >= 0:
                kept[m.index] = m.raw
        removed = frozenset(i for i in range(len(items)) if i not in kept)
        edits = {i: raw for i, raw in kept.items() if raw is not items[i] and raw != items[i]}
        # Only the span up to the last edited or removed item must match next time: the rest
        # was sent verbatim, so a client that rewrites its tail still gets the prefix replayed.
        anchor = len(final.head) + (len(final.groups[0].messages) if final.groups else 0)
        n = max(anchor, max(removed, default=-1) + 1, max(edits, default=-1) + 1)
        return CompactionState(
            n=n,
            prefix_hash=items_hash(items[:n]),
            removed=removed,
            edits=edits,
            summary=final.summary,
            compactions=(previous.compactions + 1) if previous else 1,
        )

    def context(
        self,
        conv: Conversation,
        adapter: WireAdapter,
        model: str,
        agent: str | None,
        policy: Policy,
        target: int,
    ) -> StageContext:
        enc = self.counter.encoding(model)
        fixed = 3 + sum(self.counter.count_text(t, enc) for t in adapter.fixed_texts(conv.body))
        fixed += sum(self.counter.message_raw(m, enc, conv.api, adapter.message_overhead) for m in conv.head)
        protected = protected_groups(conv.groups, policy)
        ctx = StageContext(
            conv=conv,
            adapter=adapter,
            counter=self.counter,
            enc=enc,
            model=model,
            agent=agent,
            policy=policy,
            summarizer=self.summarizer,
            slots=[],
            fixed_raw=fixed,
            target_raw=int(target / self.counter.factor(model)),
            summary=conv.summary,
        )
        ctx.set_slots([Slot(g, i in protected, ctx.count_group(g)) for i, g in enumerate(conv.groups)])
        ctx.protected_overflow = ctx.protected_total() + ctx.summary_raw() > ctx.target_raw
        return ctx


def protected_groups(groups: tuple[Group, ...], policy: Policy) -> set[int]:
    """Indices never dropped: first user group, newest user turn, recent groups, pinned, system."""
    keep: set[int] = set()
    if groups and groups[0].has_user_turn:
        keep.add(0)
    users = [i for i, g in enumerate(groups) if g.has_user_turn]
    if users:
        keep.add(users[-1])
    n = len(groups)
    keep.update(range(max(0, n - policy.keep_recent_groups), n))
    keep.update(i for i, g in enumerate(groups) if g.pinned or g.kind == "system")
    return keep
