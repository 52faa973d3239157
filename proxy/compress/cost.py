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

from dataclasses import dataclass
from typing import Literal

Family = Literal["anthropic", "openai", "gemini", "other"]

ANTHROPIC_READ = 0.1
ANTHROPIC_WRITE = 1.25
OPENAI_READ = 0.5
GEMINI_READ = 0.25
MIN_PREFIX = 1024  # shortest prefix any of the three families caches
OPENAI_STEP = 128  # OpenAI caches the prefix in 128-token increments


def family_of(model: str, api: str | None = None) -> Family:
    """The caching family of a model id (``anthropic/claude-…``, ``gpt-4o``, ``gemini-…``)."""
    name = model.lower().rsplit("/", 1)[-1]
    if "claude" in name or api == "anthropic":
        return "anthropic"
    if name.startswith(("gpt-", "o1", "o3", "o4", "chatgpt", "codex")) or api == "openai-responses":
        return "openai"
    if "gemini" in name or api == "gemini":
        return "gemini"
    return "other"


@dataclass(frozen=True, slots=True)
class CachePricing:
    """USD per token: uncached input, cached read, cache write (Anthropic's premium)."""

    family: Family
    input: float
    read: float
    write: float
    min_prefix: int = MIN_PREFIX
    step: int = 1  # the cached prefix is a multiple of this

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
        if family == "anthropic":
            read = cached_cost if cached_cost is not None else ANTHROPIC_READ * input_cost
            write = write_cost if write_cost is not None else ANTHROPIC_WRITE * input_cost
            return cls(family, input_cost, read, write)
        if family == "openai":
            read = cached_cost if cached_cost is not None else OPENAI_READ * input_cost
            return cls(family, input_cost, read, input_cost, step=OPENAI_STEP)
        if family == "gemini":
            read = cached_cost if cached_cost is not None else GEMINI_READ * input_cost
            return cls(family, input_cost, read, input_cost)
        if cached_cost is not None:
            return cls(family, input_cost, cached_cost, input_cost)
        return cls(family, input_cost, input_cost, input_cost, min_prefix=1 << 62)

    def cached(self, tokens: int, prefix: int, *, breakpoints: bool = True) -> int:
        """How much of ``prefix`` (tokens repeating the previous request) the cache serves."""
        prefix = max(0, min(prefix, tokens))
        if prefix < self.min_prefix or (self.family == "anthropic" and not breakpoints):
            return 0
        return prefix - prefix % self.step

    def request(self, tokens: int, prefix: int, *, breakpoints: bool = True) -> float:
        """USD for the input of one request of ``tokens`` whose first ``prefix`` tokens repeat
        the previous request of the conversation."""
        hit = self.cached(tokens, prefix, breakpoints=breakpoints)
        if self.family == "anthropic" and not breakpoints:
            return tokens * self.input
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
