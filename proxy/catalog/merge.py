"""Merge the sources' statements into one :class:`ModelInfo` per model, per field.

Precedence for every field (first source that says something wins, and is recorded):
operator override → live served limit (vLLM, Ollama, LM Studio) → native list → models.dev
→ LiteLLM (main branch, then bundled) → OpenRouter (third-party) → for the context window,
a ceiling learned from an upstream context-length error (only ever lowers) → the
conservative default, flagged ``unknown`` (provenance ``unknown``).

``type`` has its own order: override → a type the native list states → LiteLLM's ``mode``
→ models.dev's modalities → OpenRouter → what the id plainly says (``whisper``…) → chat.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from proxy.catalog.model import (
    CAPABILITY_FIELDS,
    LIMIT_FIELDS,
    MERGED_FIELDS,
    PRICE_FIELDS,
    Capabilities,
    ModelInfo,
    Pricing,
    Provenance,
    SourceModel,
)
from proxy.catalog.sources._parse import classify
from proxy.catalog.sources.base import TIER_LITELLM_BUNDLED, TIER_MODELS_DEV

# Sort keys for ``type``: models.dev's modalities rank after LiteLLM's ``mode``.
_TYPE_RANK = {TIER_MODELS_DEV: TIER_LITELLM_BUNDLED + 0.5}

# Accepted override keys (config ``catalog.overrides``) → ModelInfo fields.
OVERRIDE_KEYS = {
    **{f: f for f in LIMIT_FIELDS + PRICE_FIELDS + CAPABILITY_FIELDS},
    "type": "type",
    "input_cost_per_token": "input_cost",
    "output_cost_per_token": "output_cost",
    "cached_input_cost_per_token": "cached_input_cost",
}


@dataclass(frozen=True, slots=True)
class Claim:
    tier: int
    source: str
    at: str | None
    model: SourceModel


@dataclass(frozen=True, slots=True)
class Defaults:
    context_window: int
    max_output_tokens: int


@dataclass(slots=True, eq=False)
class ModelClaims:
    """Everything known about one model (one namespace + canonical id)."""

    ns: str  # upstream for natively listed models, provider for third-party-only ones
    provider: str | None
    upstream: str | None
    claims: list[Claim] = field(default_factory=list)
    listed: bool = False
    first_seen: str | None = None
    last_seen: str | None = None
    override: Mapping[str, Any] | None = None
    learned: tuple[int, str] | None = None  # (tokens, when)
    scoped: bool = False  # an upstream-specific copy: never answers lookups for other upstreams

    @property
    def display_id(self) -> str:
        return self.claims[0].model.id if self.claims else ""

    @property
    def best_tier(self) -> int:
        return min((c.tier for c in self.claims), default=99)


def merge(group: ModelClaims, defaults: Defaults, model_id: str | None = None) -> ModelInfo:
    claims = sorted(group.claims, key=lambda c: c.tier)
    values: dict[str, Any] = {}
    prov: dict[str, Provenance] = {}
    tiers: dict[str, int] = {}
    for name, value in (group.override or {}).items():
        target = OVERRIDE_KEYS.get(name)
        if target and value is not None:
            values[target] = value
            prov[target] = Provenance("override")
            tiers[target] = -1
    type_claims = sorted(claims, key=lambda c: _TYPE_RANK.get(c.tier, c.tier))
    for fname in MERGED_FIELDS:
        if fname in values:
            continue
        for claim in type_claims if fname == "type" else claims:
            value = getattr(claim.model, fname)
            if value is not None:
                values[fname] = value
                prov[fname] = Provenance(claim.source, claim.at)
                tiers[fname] = claim.tier
                break
    _consistent_input(values, prov, tiers)
    _apply_learned(group.learned, values, prov)
    window = values.get("context_window")
    if window is not None and (values.get("max_output_tokens") or 0) > window:  # a learned window is lower
        values["max_output_tokens"] = window
    unknown = values.get("context_window") is None
    if unknown:
        values["context_window"] = defaults.context_window
        prov["context_window"] = Provenance("unknown")
        if values.get("max_output_tokens") is None:
            values["max_output_tokens"] = defaults.max_output_tokens
            prov["max_output_tokens"] = Provenance("unknown")
    aliases = tuple(dict.fromkeys(a for c in claims for a in c.model.aliases))
    return ModelInfo(
        id=model_id or group.display_id,
        provider=group.provider,
        upstream=group.upstream,
        context_window=int(values["context_window"]),
        max_input_tokens=values.get("max_input_tokens"),
        max_output_tokens=values.get("max_output_tokens"),
        aliases=aliases,
        pricing=Pricing(values.get("input_cost"), values.get("output_cost"), values.get("cached_input_cost")),
        capabilities=Capabilities(values.get("tools"), values.get("vision"), values.get("reasoning")),
        type=values.get("type") or classify(model_id or group.display_id),
        created=values.get("created"),
        first_seen=group.first_seen,
        last_seen=group.last_seen,
        listed=group.listed,
        unknown=unknown,
        provenance=prov,
        listed_by=f"native:{group.upstream}" if group.listed else None,
    )


def _consistent_input(values: dict[str, Any], prov: dict[str, Provenance], tiers: dict[str, int]) -> None:
    """``max_input_tokens`` is the context window's sibling: never take it from a source
    ranked below the one that gave the window (LiteLLM's 128000 must not cap Mistral's own
    256000), and never above the window. The output limit is capped at the window too."""
    window, limit = values.get("context_window"), values.get("max_input_tokens")
    if window is None:
        return
    if (values.get("max_output_tokens") or 0) > window:
        values["max_output_tokens"] = window
    if limit is None:
        return
    if tiers["max_input_tokens"] > tiers["context_window"]:
        del values["max_input_tokens"], prov["max_input_tokens"]
    elif limit > window:
        values["max_input_tokens"] = window


def _apply_learned(
    learned: tuple[int, str] | None, values: dict[str, Any], prov: dict[str, Provenance]
) -> None:
    if learned is None:
        return
    tokens, when = learned
    for fname in ("context_window", "max_input_tokens"):
        current = values.get(fname)
        if fname in prov and prov[fname].source == "override":
            continue
        if current is None and fname == "max_input_tokens":
            continue
        if current is None or tokens < current:
            values[fname] = tokens
            prov[fname] = Provenance("learned", when)
