"""Did a compressed request keep the provider's cached prefix? Checked against the previous
request of the same conversation that was actually forwarded, whichever replica forwarded it.

Each compressed request leaves a record of what went upstream (its model-turn count, the
number of items sent and a digest of them) under the conversation's key, in the store's
versioned slot: with Redis every replica reads the last record any replica left; with the
memory backend (or while Redis is down) only this process's own. The next request is *stable*
when its items start with the recorded ones, byte for byte.

A record can only vouch for the turn right after it: when the conversation gained two or more
model turns since this replica's record, the turns in between went through another replica
(or the record was lost), so nothing here can say what the provider last saw. Such a request
is counted *unverified* (and not stable), and the first one logs one warning that this
deployment needs sticky routing on the agent id, or Redis.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from typing import Any

import orjson
import structlog

from proxy.storage.base import KV

log = structlog.get_logger("ctxproxy.storage")

_PREFIX = "fwd:"


@dataclass(frozen=True, slots=True)
class PrefixCheck:
    stable: bool  # starts with the previous forwarded request's items, byte for byte
    unverified: bool  # the previous turn evidently went through elsewhere: unknown, not stable
    shared: bool  # checked against the record all replicas share (Redis answered)


def _digests(items: list[Any], upto: int) -> tuple[str, str]:
    """Digests of ``items[:upto]`` and of all ``items``, in one pass."""
    h = hashlib.blake2b(digest_size=16)
    head = ""
    for i, item in enumerate(items):
        if i == upto:
            head = h.copy().hexdigest()
        h.update(orjson.dumps(item))
        h.update(b"\n")
    full = h.hexdigest()
    return (full if upto >= len(items) else head), full


class ForwardedPrefixes:
    def __init__(self, kv: KV, ttl_s: float | None = 86400.0, *, shared_store: bool = False) -> None:
        self.kv = kv
        self.ttl_s = ttl_s
        self.shared_store = shared_store  # storage.backend: redis
        self._warned = False

    async def check(self, thread: str, turns: int, items: list[Any]) -> PrefixCheck:
        """Compare ``items`` (as forwarded) with the conversation's last record, then record them."""
        key = _PREFIX + thread
        try:
            found = await self.kv.get_latest(key)
        except Exception:  # the store fails open: nothing known
            found = None
        prev = _record(found.value if found is not None else None)
        upto = prev[1] if prev is not None else len(items)
        head, full = _digests(items, upto)
        stable = unverified = False
        if prev is not None:
            p_turns, p_count, p_digest = prev
            if turns - p_turns > 1:
                unverified = True
                self._warn(turns - p_turns - 1)
            else:
                stable = p_count <= len(items) and head == p_digest
        record = orjson.dumps([turns, len(items), full])
        try:
            await self.kv.set_versioned(key, record, time.time_ns() // 1_000_000, self.ttl_s)
        except Exception:  # fails open: the next check finds no record
            pass
        return PrefixCheck(stable, unverified, found is not None and found.shared)

    def _warn(self, missed: int) -> None:
        if self._warned:
            return
        self._warned = True
        if self.shared_store:
            hint = (
                "a conversation's previous turn was forwarded by another replica and this one "
                "could not see it: Redis was down, restarted empty or evicted the record; while "
                "Redis is unavailable, sticky routing on the agent id keeps prefixes stable"
            )
        else:
            hint = (
                "a conversation's previous turns went through another replica and its compaction "
                "state is not here: route each agent to one replica (sticky on the agent id: the "
                "/agent/<id>/ path or the x-ctxproxy-agent header) or set storage.backend: redis"
            )
        log.warning(
            "storage.sticky_routing_needed",
            missed_turns=missed,
            backend="redis" if self.shared_store else "memory",
            hint=hint,
        )


def _record(raw: bytes | None) -> tuple[int, int, str] | None:
    if not raw:
        return None
    try:
        turns, count, digest = orjson.loads(raw)
        return int(turns), int(count), str(digest)
    except (orjson.JSONDecodeError, TypeError, ValueError):
        return None
