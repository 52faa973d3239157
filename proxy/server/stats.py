"""Per-agent and per-model live statistics behind ``GET /stats`` (per process, bounded)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from typing import Any

from proxy.compress.cost import Saving
from proxy.server.usage import Usage


@dataclass(slots=True)
class Counters:
    requests: int = 0
    counted: int = 0  # requests whose tokens were estimated (compression enabled, not a Responses chain)
    compactions: int = 0  # requests sent compressed
    fresh_compactions: int = 0  # compressed requests that needed new compaction work
    # compressed requests that start with the previous request forwarded in their conversation
    # (by any replica when Redis is shared; by this process otherwise), byte for byte
    prefix_reused: int = 0
    prefix_unverified: int = 0  # ... whose previous turn evidently went through another replica
    prefix_shared: int = 0  # ... checked against the record shared by every replica (Redis)
    tokens_before: int = 0
    tokens_after: int = 0
    summary_tokens: int = 0
    summary_cost_usd: float = 0.0
    overflow_retries: int = 0
    native_compactions: int = 0  # Responses chains handed to the provider's own compaction
    provider_input_tokens: int = 0
    provider_cached_tokens: int = 0
    # The cost model (proxy/compress/cost.py): input cost as the client wrote the requests, as
    # forwarded (both with the provider's prompt cache), and the difference minus summary calls.
    cost_without_usd: float = 0.0
    cost_with_usd: float = 0.0
    money_saved_usd: float = 0.0
    unpriced_requests: int = 0  # counted requests of a model without a known price

    def plain(self) -> dict[str, Any]:
        """The counters as a dict (slots: no ``__dict__``; a comprehension is ~10× faster than asdict)."""
        return {name: getattr(self, name) for name in self.__slots__}

    def add(self, other: Counters) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def view(self) -> dict[str, Any]:
        out: dict[str, Any] = asdict(self)
        out["tokens_saved"] = self.tokens_before - self.tokens_after
        out["cache_stable_prefix_rate"] = (
            round(self.prefix_reused / self.compactions, 4) if self.compactions else None
        )
        out["cache_stable_prefix_scope"] = prefix_scope(self.compactions, self.prefix_shared)
        out["provider_cache_hit_rate"] = (
            round(self.provider_cached_tokens / self.provider_input_tokens, 4)
            if self.provider_input_tokens
            else None
        )
        out["summary_cost_usd"] = round(self.summary_cost_usd, 6)
        out["money_saved_usd"] = round(self.money_saved_usd, 6)
        out["cost_without_usd"] = round(self.cost_without_usd, 6)
        out["cost_with_usd"] = round(self.cost_with_usd, 6)
        # "price unknown", never $0, when some compressed traffic had no price
        out["money_saved_known"] = not (self.unpriced_requests and self.compactions)
        return out


def prefix_scope(compactions: float, shared: float) -> str | None:
    """What ``cache_stable_prefix_rate`` was checked against: ``shared`` (the conversation's last
    forwarded request on any replica, through Redis), ``per replica`` (this process's own
    forwards only: behind a non-sticky balancer the provider may have seen other turns; those
    evidently routed elsewhere count as unverified, not stable), or ``mixed``."""
    if not compactions:
        return None
    if shared >= compactions:
        return "shared"
    return "per replica" if not shared else "mixed"


_FIELDS = frozenset(f.name for f in fields(Counters))


def _counters(raw: dict[str, Any]) -> Counters:
    return Counters(**{k: v for k, v in raw.items() if k in _FIELDS})


def merge_raw(parts: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Sum several :meth:`Stats.raw` exports (one per worker) into one ``/stats`` view."""
    total = Counters()
    groups: dict[str, dict[str, Counters]] = {"agents": {}, "models": {}}
    for part in parts:
        total.add(_counters(part.get("total") or {}))
        for group, table in groups.items():
            for key, raw in (part.get(group) or {}).items():
                table.setdefault(key, Counters()).add(_counters(raw))
    return {
        "total": total.view(),
        **{g: {k: v.view() for k, v in sorted(t.items())} for g, t in groups.items()},
    }


class Stats:
    def __init__(self, max_keys: int = 10000) -> None:
        # least recently used first; the oldest goes when a new key would pass max_keys
        self._agents: OrderedDict[str, Counters] = OrderedDict()
        self._models: OrderedDict[str, Counters] = OrderedDict()
        self._max_keys = max_keys
        self.total = Counters()

    def _pair(self, agent: str, model: str) -> tuple[Counters, Counters, Counters]:
        return self._entry(self._agents, agent), self._entry(self._models, model), self.total

    def _entry(self, table: OrderedDict[str, Counters], key: str) -> Counters:
        """An LRU entry by OrderedDict's C methods (cachetools' LRUCache does it in Python)."""
        counters = table.get(key)
        if counters is None:
            if len(table) >= self._max_keys:
                table.popitem(last=False)
            counters = table[key] = Counters()
        else:
            table.move_to_end(key)
        return counters

    def uncompressed(self, agent: str, model: str, tokens: int, saving: Saving | None) -> None:
        """A request forwarded as it came, with its estimate (0: none) and its bill."""
        self.request(
            agent,
            model,
            tokens_before=tokens,
            tokens_after=tokens,
            compressed=False,
            fresh=False,
            reused_prefix=False,
            saving=saving,
        )

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
        prefix_unverified: bool = False,
        prefix_shared: bool = False,
        summary_tokens: int = 0,
        summary_cost_usd: float = 0.0,
        saving: Saving | None = None,
    ) -> None:
        """``saving``: the cost model's bill for the request (``None``: the price is unknown)."""
        for c in self._pair(agent, model):
            if saving is not None:
                c.cost_without_usd += saving.without_usd
                c.cost_with_usd += saving.with_usd
                c.money_saved_usd += saving.saved
            elif tokens_before:
                c.unpriced_requests += 1
            c.requests += 1
            c.counted += int(tokens_before > 0)
            c.tokens_before += tokens_before
            c.tokens_after += tokens_after
            c.summary_tokens += summary_tokens
            c.summary_cost_usd += summary_cost_usd
            c.money_saved_usd -= summary_cost_usd
            if compressed:
                c.compactions += 1
                c.fresh_compactions += int(fresh)
                c.prefix_reused += int(reused_prefix)
                c.prefix_unverified += int(prefix_unverified)
                c.prefix_shared += int(prefix_shared)

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
            c.money_saved_usd -= cost_usd  # summary calls are part of what compression costs

    def usage(self, agent: str, model: str, usage: Usage) -> None:
        if usage.input_tokens is None:
            return
        for c in self._pair(agent, model):
            c.provider_input_tokens += usage.input_tokens
            c.provider_cached_tokens += usage.cached_tokens

    def raw(self) -> dict[str, Any]:
        """Plain counters (no derived fields): summed across workers by :func:`merge_raw`."""
        return {
            "total": self.total.plain(),
            "agents": {k: v.plain() for k, v in self._agents.items()},
            "models": {k: v.plain() for k, v in self._models.items()},
        }

    def view(self) -> dict[str, Any]:
        return {
            "total": self.total.view(),
            "agents": {k: v.view() for k, v in sorted(self._agents.items())},
            "models": {k: v.view() for k, v in sorted(self._models.items())},
        }
