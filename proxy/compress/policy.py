"""When to compress and how far: presets, per-model and per-agent overrides, the input budget."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, replace

from proxy.config import CompressionSettings, PolicyOverride, StrategyName


@dataclass(frozen=True, slots=True)
class Policy:
    enabled: bool
    strategy: StrategyName
    trigger: float  # fraction of the input budget that starts a compaction
    target: float  # fraction a compaction drains down to
    keep_recent_groups: int  # newest atomic groups kept verbatim
    keep_tool_results: int  # newest tool results never masked
    safety_margin: float  # fraction of the window kept free for counting error
    summary_min: float = 0.05  # the summary's share of the target: at least …
    summary_max: float = 0.8  # … and at most (the need in between: stages/summarize.py)
    drain: bool = True  # drain below the target when the growth per turn asks for it

    def budget(self, context_window: int, max_input_tokens: int | None, reserved_output: int) -> int:
        """min(max_input, window − reserved output) − margin, never below 1/8 of the input limit."""
        limit = min(max_input_tokens, context_window) if max_input_tokens else context_window
        room = min(limit, context_window - max(0, reserved_output))
        room -= int(self.safety_margin * context_window)
        return max(room, limit // 8, 1)


# The drain: a compaction leaves room for DRAIN_TURNS turns of the growth per turn this
# conversation has shown (the mean of its newest groups), so compactions stay rare; never
# deeper than DRAIN_FLOOR × the target, never shallower than the target (see docs/compression.md).
DRAIN_TURNS = 48
DRAIN_FLOOR = 0.3
GROWTH_GROUPS = 6


def drain_target(policy: Policy, trigger: int, target: int, growth: int, keep: int = 0) -> int:
    """Where a compaction drains to (same units as ``trigger``/``target``): ``target`` at most,
    lower when ``growth`` per turn would bring the conversation back to ``trigger`` in fewer
    than ``DRAIN_TURNS`` turns; never below ``DRAIN_FLOOR × target``, nor below ``keep`` (what
    must stay verbatim: the prompt, the task, the newest turn, the summary so far)."""
    if not policy.drain:
        return target
    deep = max(int(DRAIN_FLOOR * target), min(target, keep))
    return max(deep, min(target, trigger - DRAIN_TURNS * max(0, growth)))


def growth_per_turn(group_tokens: list[int]) -> int:
    """The conversation's growth per turn: the mean size of its newest groups (a tool loop's
    call + output, a chat's turn); the first group (the task) does not count."""
    recent = group_tokens[1:][-GROWTH_GROUPS:]
    return sum(recent) // len(recent) if recent else 0


@dataclass(frozen=True, slots=True)
class CachePrices:
    """A provider's prompt-cache prices as multiples of its input price: a cached token read,
    an uncached token (written to the cache: 1.25 at Anthropic, 1 elsewhere)."""

    read: float
    write: float


def compaction_pays(
    prices: CachePrices, *, size: int, newest: int, after: int, cached: int, turns: int
) -> bool:
    """Whether compacting a request under the trigger now is expected to cost less than
    sending it whole, over the turns to come (see docs/compression.md, "Compacting early").

    ``size``: the request as it would go whole (its previous request was ``size − newest``,
    cached); ``after``: its size compacted, of which the first ``cached`` tokens (prompt,
    tools, task, earlier summary layers) stay in the cache; ``turns``: the turns expected
    after it: as many as the conversation has had (the longer a conversation has run, the
    longer it is likely to run on). Now the compaction costs the rewrite of ``after − cached``
    instead of reading the previous request; every later turn then reads ``size − after``
    fewer tokens."""
    whole = prices.read * max(0, size - newest) + prices.write * newest
    compacted = prices.read * cached + prices.write * max(0, after - cached)
    return turns * prices.read * max(0, size - after) > compacted - whole


def earlier_is_cheaper(
    prices: CachePrices, *, size: int, after: int, cached: int, growth: int, trigger: int
) -> bool:
    """Whether compacting at ``size`` beats waiting for the trigger over a conversation that
    keeps growing ``growth`` tokens a turn (see docs/compression.md, "Compacting early").

    A schedule that compacts at ``x`` down to ``after`` repeats every ``(x − after) / growth``
    turns; it costs one rewrite (``after − cached`` at the write price) per cycle and reads a
    prefix of ``(after + x) / 2`` on average every turn. Compacting now is worth it only when
    that cost per turn is lower than the trigger's: a conversation that grows fast refills the
    room in a few turns, and compacting it early would only break the cache more often."""
    if growth <= 0 or size <= after or trigger <= after:
        return True  # nothing to weigh against: the one-off comparison decides

    def per_turn(x: int) -> float:
        rewrite = prices.write * max(0, after - cached)
        return rewrite * growth / (x - after) + prices.read * (after + x) / 2

    return per_turn(size) < per_turn(trigger)


PRESETS: dict[str, Policy] = {
    "conservative": Policy(True, "conservative", 0.90, 0.70, 6, 8, 0.03, 0.05, 0.6),
    "balanced": Policy(True, "balanced", 0.85, 0.55, 4, 5, 0.03, 0.05, 0.8),
    "aggressive": Policy(True, "aggressive", 0.70, 0.30, 2, 3, 0.03, 0.05, 0.9),
}
_NUMERIC = ("trigger", "target", "keep_recent_groups", "keep_tool_results", "safety_margin")


def _apply(policy: Policy, layer: PolicyOverride | CompressionSettings) -> Policy:
    if layer.strategy is not None and layer.strategy != policy.strategy:
        policy = replace(PRESETS[layer.strategy], enabled=policy.enabled, safety_margin=policy.safety_margin)
    changes: dict[str, object] = {k: getattr(layer, k) for k in _NUMERIC if getattr(layer, k) is not None}
    if layer.enabled is not None:
        changes["enabled"] = layer.enabled
    share = layer.summary_share
    if share is not None:
        if share.min is not None:
            changes["summary_min"] = share.min
        if share.max is not None:
            changes["summary_max"] = share.max
    policy = replace(policy, **changes)  # type: ignore[arg-type]
    if policy.summary_min > policy.summary_max:  # a layer moved one bound past the other
        policy = replace(policy, summary_min=policy.summary_max)
    return policy


def _match(table: dict[str, PolicyOverride], name: str | None) -> PolicyOverride | None:
    if not name:
        return None
    if name in table:
        return table[name]
    base = name.rsplit("/", 1)[-1]
    if base in table:
        return table[base]
    for pattern in sorted(table):
        if any(ch in pattern for ch in "*?[") and (
            fnmatch.fnmatchcase(name, pattern) or fnmatch.fnmatchcase(base, pattern)
        ):
            return table[pattern]
    return None


def resolve_policy(settings: CompressionSettings, model: str, agent: str | None = None) -> Policy:
    """Global settings, then the model's override, then the agent's: later layers win.

    A layer that names a strategy starts again from that preset; its explicit numbers then apply.
    """
    policy = _apply(replace(PRESETS[settings.strategy], enabled=settings.enabled), settings)
    for layer in (_match(settings.models, model), _match(settings.agents, agent)):
        if layer is not None:
            policy = _apply(policy, layer)
    if policy.target >= policy.trigger:
        policy = replace(policy, target=round(policy.trigger * 0.65, 4))
    return policy
