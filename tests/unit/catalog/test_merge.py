"""Per-field precedence with provenance, consistency of input limits, learned ceilings."""

from __future__ import annotations

from proxy.catalog.merge import Claim, Defaults, ModelClaims, merge
from proxy.catalog.model import SourceModel
from proxy.catalog.sources.base import (
    TIER_LITELLM_BUNDLED,
    TIER_MODELS_DEV,
    TIER_NATIVE,
    TIER_OPENROUTER,
    TIER_SERVED,
)

DEFAULTS = Defaults(context_window=32768, max_output_tokens=4096)


def group(*claims: Claim, **kw: object) -> ModelClaims:
    g = ModelClaims(ns="up", provider="prov", upstream="up", listed=True, **kw)  # type: ignore[arg-type]
    g.claims.extend(claims)
    return g


def claim(tier: int, source: str, **fields: object) -> Claim:
    return Claim(tier, source, "2026-11-01T00:00:00+00:00", SourceModel(id="m", **fields))  # type: ignore[arg-type]


def test_native_beats_third_parties_field_by_field() -> None:
    info = merge(
        group(
            claim(
                TIER_LITELLM_BUNDLED,
                "litellm_bundled",
                context_window=128000,
                max_input_tokens=128000,
                max_output_tokens=128000,
                input_cost=3e-7,
            ),
            claim(TIER_NATIVE, "native:mistral", context_window=256000),
            claim(TIER_MODELS_DEV, "models_dev", max_output_tokens=8192),
        ),
        DEFAULTS,
    )
    assert info.context_window == 256000 and info.source == "native:mistral"
    assert info.max_output_tokens == 8192 and info.provenance["max_output_tokens"].source == "models_dev"
    assert info.pricing.input == 3e-7 and info.provenance["input_cost"].source == "litellm_bundled"
    # LiteLLM's input limit belongs to its (older) window: not used under the native one.
    assert info.max_input_tokens is None


def test_served_limit_beats_native_and_override_beats_all() -> None:
    g = group(
        claim(TIER_NATIVE, "native:x", context_window=131072),
        claim(TIER_SERVED, "served", context_window=4096),
    )
    assert merge(g, DEFAULTS).context_window == 4096
    g.override = {"context_window": 8192, "max_output_tokens": 1024}
    info = merge(g, DEFAULTS)
    assert (info.context_window, info.max_output_tokens, info.source) == (8192, 1024, "override")


def test_openrouter_is_the_last_resort() -> None:
    info = merge(
        group(
            claim(TIER_OPENROUTER, "openrouter", context_window=1_000_000),
            claim(TIER_LITELLM_BUNDLED, "litellm_bundled", context_window=200000),
        ),
        DEFAULTS,
    )
    assert info.context_window == 200000


def test_unknown_gets_conservative_default() -> None:
    info = merge(group(claim(TIER_NATIVE, "native:deepseek")), DEFAULTS)
    assert info.unknown and info.context_window == 32768 and info.max_output_tokens == 4096
    assert info.source == "unknown"


def test_learned_only_lowers() -> None:
    base = claim(TIER_NATIVE, "native:x", context_window=131072, max_input_tokens=131072)
    lower = merge(group(base, learned=(100000, "t")), DEFAULTS)
    assert (lower.context_window, lower.max_input_tokens, lower.source) == (100000, 100000, "learned")
    higher = merge(group(base, learned=(200000, "t")), DEFAULTS)
    assert higher.context_window == 131072 and higher.source == "native:x"


def test_override_is_not_lowered_by_learning() -> None:
    g = group(claim(TIER_NATIVE, "native:x", context_window=131072), learned=(1000, "t"))
    g.override = {"context_window": 50000}
    assert merge(g, DEFAULTS).context_window == 50000


def test_output_capped_at_window() -> None:
    info = merge(
        group(
            claim(TIER_NATIVE, "n", context_window=131072),
            claim(TIER_LITELLM_BUNDLED, "l", max_output_tokens=262144),
        ),
        DEFAULTS,
    )
    assert info.max_output_tokens == 131072
