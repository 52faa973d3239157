"""Did a compressed request keep the provider's cached prefix? Checked against the previous
request of the same conversation that was actually forwarded, whichever replica forwarded it.

Each compressed request leaves a record of what went upstream (its model-turn count, and the
length and CRC of its serialized items) under the conversation's key, in the store's
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

import contextlib
import time
import zlib
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


def _crcs(data: bytes, length: int | None) -> tuple[int | None, int]:
    """CRCs of ``data[:length]`` (None without a length, or when that is not an item boundary)
    and of ``data`` less its closing bracket, in one pass over the bytes."""
    view, end = memoryview(data), len(data) - 1
    if length is None or length > end or data[length : length + 1] not in (b",", b"]"):
        return None, zlib.crc32(view[:end])
    head = zlib.crc32(view[:length])
    return head, zlib.crc32(view[length:end], head)


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
        # One serialization of the items (a JSON array); a CRC of it less its closing bracket
        # identifies the prefix (a statistic, not a security boundary: ~4x cheaper than a hash)
        data = orjson.dumps(items)
        head, full = _crcs(data, prev[1] if prev is not None else None)
        stable = unverified = False
        if prev is not None:
            if turns - prev[0] > 1:
                unverified = True
                self._warn(turns - prev[0] - 1)
            else:
                stable = head == prev[2]
        record = orjson.dumps([turns, len(data) - 1, full])
        with contextlib.suppress(Exception):  # fails open: the next check finds no record
            await self.kv.set_versioned(key, record, time.time_ns() // 1_000_000, self.ttl_s)
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


def _record(raw: bytes | None) -> tuple[int, int, int] | None:
    if not raw:
        return None
    try:
        turns, length, crc = orjson.loads(raw)
        return int(turns), int(length), int(crc)
    except (orjson.JSONDecodeError, TypeError, ValueError):
        return None
