"""Compaction state per conversation, behind the storage KV interface (memory or Redis).

Keyed by agent + model + a digest of the conversation's stable prefix (head items and
first user group). The state records what the last compaction did to the first ``n`` original
items: which were removed (summarized or dropped), which were edited (and into what), and the
anchored summary. A later request that starts with the same ``n`` items gets exactly the
same compressed prefix back, byte for byte, with its new items appended.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import orjson
import structlog

from proxy.storage import KV

log = structlog.get_logger("ctxproxy.compress")
STATE_VERSION = 1


def items_hash(items: list[Any]) -> str:
    return hashlib.blake2b(orjson.dumps(items), digest_size=16).hexdigest()


def key_digest(*parts: Any) -> str:
    return hashlib.blake2b(orjson.dumps(list(parts)), digest_size=12).hexdigest()


@dataclass(frozen=True)
class CompactionState:
    n: int  # original items covered
    prefix_hash: str  # items_hash(original items[:n])
    removed: frozenset[int] = frozenset()  # original indices summarized or dropped
    edits: dict[int, Any] = field(default_factory=dict)  # original index → item as sent
    summary: str | None = None
    compactions: int = 1  # how many compactions this conversation has had

    def to_bytes(self) -> bytes:
        return orjson.dumps(
            {
                "v": STATE_VERSION,
                "n": self.n,
                "h": self.prefix_hash,
                "removed": sorted(self.removed),
                "edits": [[i, raw] for i, raw in sorted(self.edits.items())],
                "summary": self.summary,
                "compactions": self.compactions,
            }
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> CompactionState | None:
        try:
            d = orjson.loads(data)
            if d.get("v") != STATE_VERSION:
                return None
            return cls(
                n=int(d["n"]),
                prefix_hash=str(d["h"]),
                removed=frozenset(int(i) for i in d["removed"]),
                edits={int(i): raw for i, raw in d["edits"]},
                summary=d.get("summary"),
                compactions=int(d.get("compactions", 1)),
            )
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            return None

    def matches(self, items: list[Any]) -> bool:
        return len(items) >= self.n and items_hash(items[: self.n]) == self.prefix_hash


class StateStore:
    """Loads and saves :class:`CompactionState` through a :class:`~proxy.storage.KV`."""

    def __init__(self, kv: KV, *, ttl_s: float | None = 86400.0, prefix: str = "ctxproxy:compact:") -> None:
        self.kv = kv
        self.ttl_s = ttl_s
        self.prefix = prefix

    def key(self, api: str, model: str, agent: str | None, stable: list[Any]) -> str:
        return self.prefix + key_digest(api, model, agent or "", stable)

    async def load(self, key: str) -> CompactionState | None:
        try:
            data = await self.kv.get(key)
        except Exception as exc:  # storage fails open: behave like a miss
            log.warning("compaction.state_read_failed", error=type(exc).__name__)
            return None
        return CompactionState.from_bytes(data) if data else None

    async def save(self, key: str, state: CompactionState) -> None:
        try:
            await self.kv.set(key, state.to_bytes(), self.ttl_s)
        except Exception as exc:
            log.warning("compaction.state_write_failed", error=type(exc).__name__)
