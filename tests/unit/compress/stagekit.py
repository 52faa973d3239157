"""A testing kit for compaction stages: one stage, one conversation, one target, no compactor.

``stage_kit(messages, target=…)`` parses a request's items with the real wire adapter and
builds the same :class:`StageContext` the compactor builds (``StageContext.start``), so a test
runs a single stage and asserts its own effect: what it changed, what it left alone, how many
tokens it saved, and that the rendered request has no new invariant violation (tool pairs).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from typing import Any

from proxy.compress import TokenCounter
from proxy.compress.extractive import ExtractiveSummarizer
from proxy.compress.invariants import new_violations
from proxy.compress.policy import resolve_policy
from proxy.compress.protect import protected_groups
from proxy.compress.stages import Meter, Stage, StageContext, SummarySource
from proxy.compress.summarizer import Summarizer, SummaryRequest
from proxy.config import load_settings
from proxy.wire import Conversation, get_adapter
from proxy.wire.base import WireAdapter

COUNTER = TokenCounter()


class BrokenSummarizer:
    """A summarizer that always times out (the stages after summarize must still apply)."""

    name = "broken"

    async def summarize(self, request: SummaryRequest) -> str:
        raise TimeoutError


SETTINGS = load_settings(environ={}).compression
MODELS = {
    "openai-chat": "gpt-4o",
    "openai-responses": "gpt-4o",
    "anthropic": "claude-sonnet-4-20250514",
    "gemini": "gemini-2.0-flash",
}


def request_body(api: str, items: list[Any], model: str) -> dict[str, Any]:
    """A minimal valid request of ``api`` around ``items``."""
    body: dict[str, Any] = {get_adapter(api).container: items}
    if api == "anthropic":
        body.update(model=model, max_tokens=1024)
    elif api != "gemini":
        body["model"] = model
    return body


@dataclass
class StageKit:
    ctx: StageContext
    api: str
    adapter: WireAdapter
    conv: Conversation  # the parsed request before any stage ran
    body: dict[str, Any]  # the original request (never mutated)
    before: int  # raw tokens before any stage ran

    async def run(self, stage: Stage) -> int:
        """Apply ``stage`` once; the raw tokens it saved."""
        start = self.ctx.total()
        await stage.apply(self.ctx)
        return start - self.ctx.total()

    def render(self) -> dict[str, Any]:
        """The request the working context renders to (as the compactor sends it)."""
        return self.adapter.render(self.conv.with_groups(self.ctx.groups(), self.ctx.summary))

    def items(self) -> list[Any]:
        out = self.render()[self.adapter.container]
        assert isinstance(out, list)
        return out

    def original_items(self) -> list[Any]:
        out = self.body[self.adapter.container]
        assert isinstance(out, list)
        return out

    def new_violations(self) -> set[str]:
        return new_violations(self.api, self.body, self.render())


def stage_kit(
    items: list[Any],
    *,
    target: int | float,
    api: str = "openai-chat",
    model: str | None = None,
    summarizer: Summarizer | None = None,
    summary: str | None = None,
    **policy: Any,
) -> StageKit:
    """A stage context for ``items`` (the request's message list in ``api``'s shape).

    ``target``: raw tokens (an int), or a share of the conversation's own total (a float < 1).
    ``policy``: overrides of the balanced preset (e.g. ``keep_recent_groups=1``).
    ``summary``: an anchored summary already in place (as a replayed compaction leaves it).
    """
    model = model or MODELS[api]
    adapter = get_adapter(api)
    body = request_body(api, copy.deepcopy(items), model)
    conv = adapter.parse(copy.deepcopy(body))
    if summary is not None:
        conv = replace(conv, summary=summary)
    eff = replace(resolve_policy(SETTINGS, model), **policy)
    enc = COUNTER.encoding(model)
    meter = Meter(COUNTER, enc, conv.api, adapter.message_overhead, adapter.summary_overhead)
    fixed = 3 + sum(meter.text(t) for t in adapter.fixed_texts(conv.body))
    fixed += sum(meter.message(m) for m in conv.head)
    summaries = SummarySource(
        summarizer or ExtractiveSummarizer(lambda t, m: COUNTER.count_text(t, COUNTER.encoding(m))), model
    )
    protected = protected_groups(conv.groups, eff)

    def start(target_raw: int) -> StageContext:
        return StageContext.start(
            conv.groups,
            protected,
            meter=meter,
            fixed_raw=fixed,
            target_raw=target_raw,
            policy=eff,
            summaries=summaries,
            summary=conv.summary,
        )

    before = start(0).total()
    ctx = start(int(before * target) if isinstance(target, float) else target)
    return StageKit(ctx, api, adapter, conv, body, before)
