"""The cost model: what one request costs with the provider's prompt cache, and what a
compaction saved (see docs/compression.md, "What compression costs").

A request of ``tokens`` input tokens whose first ``cached`` tokens repeat the previous request
of the same conversation is billed per family:

- ``anthropic``: explicit ``cache_control`` breakpoints; the cached prefix is read at 0.1× the
  input price, everything after it is written to the cache at 1.25× (LiteLLM's
  ``cache_read_input_token_cost`` / ``cache_creation_input_token_cost`` when the catalog has
  them). Without any breakpoint nothing is cached: every token at 1×.
- ``openai``: automatic prefix caching from 1,024 tokens, in steps of 128 tokens, at the
  model's cached price (0.5× when the catalog does not say); no write premium.
- ``gemini``: implicit caching from 1,024 tokens at the cached price (0.25× when unknown);
  no write premium.
- ``other``: the catalog's cached price when it has one (treated like ``openai``), else no cache.

Pure functions: the server's per-conversation memory lives in ``proxy/server/bills.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

Family = Literal["anthropic", "openai", "gemini", "other"]

MIN_PREFIX = 1024  # shortest prefix any of the three families caches
NO_CACHE = 1 << 62


@dataclass(frozen=True, slots=True)
class CacheRule:
    """A family's cache rules: default read and write price (× the input price) when the
    catalog does not say, the prefix step, and whether only explicit breakpoints cache."""

    read: float
    write: float
    step: int = 1
    min_prefix: int = MIN_PREFIX
    explicit: bool = False


RULES: dict[str, CacheRule] = {
    "anthropic": CacheRule(0.1, 1.25, explicit=True),
    "openai": CacheRule(0.5, 1.0, step=128),  # automatic, in 128-token increments
    "gemini": CacheRule(0.25, 1.0),  # implicit
    "other": CacheRule(1.0, 1.0, min_prefix=NO_CACHE),  # no cache unless the catalog prices one
}
_MODEL_HINTS = (("claude", "anthropic"), ("gemini", "gemini"))
_OPENAI_PREFIXES = ("gpt-", "o1", "o3", "o4", "chatgpt", "codex")
_API_FAMILY: dict[str, Family] = {"anthropic": "anthropic", "openai-responses": "openai", "gemini": "gemini"}


def family_of(model: str, api: str | None = None) -> Family:
    """The caching family of a model id (``anthropic/claude-…``, ``gpt-4o``, ``gemini-…``),
    else of the API it is spoken through."""
    name = model.lower().rsplit("/", 1)[-1]
    for hint, family in _MODEL_HINTS:
        if hint in name:
            return family  # type: ignore[return-value]
    if name.startswith(_OPENAI_PREFIXES):
        return "openai"
    return _API_FAMILY.get(api or "", "other")


def cache_ratios(model: str, api: str | None = None) -> tuple[float, float] | None:
    """(read, write) price ÷ the input price by the model's family rules; ``None`` when the
    family's cache is unknown (the policy then compacts at the trigger only)."""
    rule = RULES[family_of(model, api)]
    return None if rule.min_prefix == NO_CACHE else (rule.read, rule.write)


@dataclass(frozen=True, slots=True)
class CachePricing:
    """USD per token: uncached input, cached read, cache write (Anthropic's premium)."""

    family: Family
    input: float
    read: float
    write: float
    min_prefix: int = MIN_PREFIX
    step: int = 1  # the cached prefix is a multiple of this
    explicit: bool = False  # only ``cache_control`` breakpoints cache (Anthropic)

    @classmethod
    def of(
        cls,
        model: str,
        input_cost: float | None,
        cached_cost: float | None = None,
        write_cost: float | None = None,
        api: str | None = None,
    ) -> CachePricing | None:
        """The model's cache pricing from the catalog's prices; ``None`` when the input price
        is unknown (money saved then reads "price unknown", never $0)."""
        if input_cost is None:
            return None
        family = family_of(model, api)
        rule = RULES[family]
        if cached_cost is not None and rule.min_prefix == NO_CACHE:  # the catalog prices a cache
            rule = replace(rule, min_prefix=MIN_PREFIX)
        read = cached_cost if cached_cost is not None else rule.read * input_cost
        write = write_cost if write_cost is not None else rule.write * input_cost
        return cls(family, input_cost, read, write, rule.min_prefix, rule.step, rule.explicit)

    def cached(self, tokens: int, prefix: int, *, breakpoints: bool = True) -> int:
        """How much of ``prefix`` (tokens repeating the previous request) the cache serves."""
        prefix = max(0, min(prefix, tokens))
        if prefix < self.min_prefix or (self.explicit and not breakpoints):
            return 0
        return prefix - prefix % self.step

    def request(self, tokens: int, prefix: int, *, breakpoints: bool = True) -> float:
        """USD for the input of one request of ``tokens`` whose first ``prefix`` tokens repeat
        the previous request of the conversation (no breakpoint with an explicit cache: 1×)."""
        if self.explicit and not breakpoints:
            return max(0, tokens) * self.input
        hit = self.cached(tokens, prefix)
        return hit * self.read + (max(0, tokens) - hit) * self.write


@dataclass(frozen=True, slots=True)
class Saving:
    """One request priced without and with compaction; ``summary_usd``: the summary calls
    it needed. ``saved`` = without − with − summaries (negative: compression cost money)."""

    without_usd: float
    with_usd: float
    summary_usd: float = 0.0

    @property
    def saved(self) -> float:
        return self.without_usd - self.with_usd - self.summary_usd


def saving(
    pricing: CachePricing,
    *,
    tokens_before: int,
    prefix_before: int,
    tokens_after: int,
    prefix_after: int,
    summary_usd: float = 0.0,
    breakpoints_before: bool = True,
    breakpoints_after: bool = True,
) -> Saving:
    """The request as the client sent it (cached against the client's previous request) against
    the request as forwarded (cached against the previous forwarded request)."""
    return Saving(
        pricing.request(tokens_before, prefix_before, breakpoints=breakpoints_before),
        pricing.request(tokens_after, prefix_after, breakpoints=breakpoints_after),
        summary_usd,
    )
