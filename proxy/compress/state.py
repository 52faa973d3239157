"""Compaction state per conversation, behind the storage KV interface (memory or Redis).

Keyed by agent + model + a digest of the conversation's stable prefix (head items and
first user group). The state records what the last compaction did to the first ``n`` original
items: which were removed (summarized or dropped), which were edited (and into what), and the
anchored summary. A later request that starts with the same ``n`` items gets exactly the
same compressed prefix back, byte for byte, with its new items appended.

Replicas may each hold a copy (the local tier of every process, and Redis): a state carries a
version stamp (when it was made, in ms) and the store keeps the newest
(:meth:`~proxy.storage.KV.set_versioned`), never a blind overwrite: a save that reaches Redis
late (queued during an outage) cannot replace a state another replica made since.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from typing import Any

import orjson
import structlog

from proxy.storage import KV

log = structlog.get_logger("ctxproxy.compress")
STATE_VERSION = 2  # 2 added ``at``; a version-1 state still reads (as the oldest)


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
    at: int = field(default_factory=lambda: time.time_ns() // 1_000_000)  # made at (ms): the version

    @property
    def version(self) -> int:
        return self.at

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
                "at": self.at,
            }
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> CompactionState | None:
        try:
            d = orjson.loads(data)
            if d.get("v") not in (1, STATE_VERSION):
                return None
            return cls(
                n=int(d["n"]),
                prefix_hash=str(d["h"]),
                removed=frozenset(int(i) for i in d["removed"]),
                edits={int(i): raw for i, raw in d["edits"]},
                summary=d.get("summary"),
                compactions=int(d.get("compactions", 1)),
                at=int(d.get("at", 0)),
            )
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            return None

    def matches(self, items: list[Any]) -> bool:
        return len(items) >= self.n and items_hash(items[: self.n]) == self.prefix_hash


class StateStore:
    """Loads and saves :class:`CompactionState` through a :class:`~proxy.storage.KV`: the
    newest copy either tier holds; saves never replace a newer state (another replica's)."""

    def __init__(self, kv: KV, *, ttl_s: float | None = 86400.0, prefix: str = "ctxproxy:compact:") -> None:
        self.kv = kv
        self.ttl_s = ttl_s
        self.prefix = prefix

    def key(self, api: str, model: str, agent: str | None, stable: list[Any]) -> str:
        return self.prefix + key_digest(api, model, agent or "", stable)

    async def load(self, key: str) -> CompactionState | None:
        try:
            data = (await self.kv.get_latest(key)).value
        except Exception as exc:  # storage fails open: behave like a miss
            log.warning("compaction.state_read_failed", error=type(exc).__name__)
            return None
        return CompactionState.from_bytes(data) if data else None

    async def save(self, key: str, state: CompactionState) -> None:
        try:
            await self.kv.set_versioned(key, state.to_bytes(), state.version, self.ttl_s)
        except Exception as exc:
            log.warning("compaction.state_write_failed", error=type(exc).__name__)


def model_turns(messages: list[Any]) -> int:
    """How many model turns a conversation holds: runs of consecutive assistant items (one
    response may be several items: reasoning, text, tool calls). Each forwarded request adds
    exactly one, so a jump of two or more means a turn went through somewhere else."""
    turns, inside = 0, False
    for m in messages:
        is_model = getattr(m, "role", None) == "assistant"
        turns += int(is_model and not inside)
        inside = is_model
    return turns
