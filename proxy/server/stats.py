"""Per-agent and per-model live statistics behind ``GET /stats`` (per process, bounded)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from cachetools import LRUCache

from proxy.server.usage import Usage


@dataclass(slots=True)
class Counters:
    requests: int = 0
    counted: int = 0  # requests whose tokens were estimated (compression enabled, not a Responses chain)
    compactions: int = 0  # requests sent compressed
    fresh_compactions: int = 0  # compressed requests that needed new compaction work
    prefix_reused: int = 0  # compressed requests that replayed the previous compressed prefix
    tokens_before: int = 0
    tokens_after: int = 0
    summary_tokens: int = 0
    summary_cost_usd: float = 0.0
    overflow_retries: int = 0
    native_compactions: int = 0  # Responses chains handed to the provider's own compaction
    provider_input_tokens: int = 0
    provider_cached_tokens: int = 0

    def view(self) -> dict[str, Any]:
        out: dict[str, Any] = asdict(self)
        out["tokens_saved"] = self.tokens_before - self.tokens_after
        out["cache_stable_prefix_rate"] = (
            round(self.prefix_reused / self.compactions, 4) if self.compactions else None
        )
        out["provider_cache_hit_rate"] = (
            round(self.provider_cached_tokens / self.provider_input_tokens, 4)
            if self.provider_input_tokens
            else None
        )
        out["summary_cost_usd"] = round(self.summary_cost_usd, 6)
        return out


class Stats:
    def __init__(self, max_keys: int = 10000) -> None:
        self._agents: LRUCache[str, Counters] = LRUCache(maxsize=max_keys)
        self._models: LRUCache[str, Counters] = LRUCache(maxsize=max_keys)
        self.total = Counters()

    def _pair(self, agent: str, model: str) -> tuple[Counters, Counters, Counters]:
        a = self._agents.get(agent)
        if a is None:
            a = self._agents[agent] = Counters()
        m = self._models.get(model)
        if m is None:
            m = self._models[model] = Counters()
        return a, m, self.total

    def request(
        self,
        agent: str,
        model: str,
        *,
        tokens_before: int,
        tokens_after: int,
        compressed: bool,
        fresh: bool,
        reused_prefix: bool,
        summary_tokens: int = 0,
        summary_cost_usd: float = 0.0,
    ) -> None:
        for c in self._pair(agent, model):
            c.requests += 1
            c.counted += int(tokens_before > 0)
            c.tokens_before += tokens_before
            c.tokens_after += tokens_after
            c.summary_tokens += summary_tokens
            c.summary_cost_usd += summary_cost_usd
            if compressed:
                c.compactions += 1
                c.fresh_compactions += int(fresh)
                c.prefix_reused += int(reused_prefix)

    def retry(self, agent: str, model: str) -> None:
        for c in self._pair(agent, model):
            c.overflow_retries += 1

    def native_compaction(self, agent: str, model: str) -> None:
        for c in self._pair(agent, model):
            c.native_compactions += 1

    def summary(self, agent: str, model: str, tokens: int, cost_usd: float) -> None:
        for c in self._pair(agent, model):
            c.summary_tokens += tokens
            c.summary_cost_usd += cost_usd

    def usage(self, agent: str, model: str, usage: Usage) -> None:
        if usage.input_tokens is None:
            return
        for c in self._pair(agent, model):
            c.provider_input_tokens += usage.input_tokens
            c.provider_cached_tokens += usage.cached_tokens

    def view(self) -> dict[str, Any]:
        return {
            "total": self.total.view(),
            "agents": {k: v.view() for k, v in sorted(self._agents.items())},
            "models": {k: v.view() for k, v in sorted(self._models.items())},
        }
