"""Replicas sharing a KV store (Redis): one refreshes a source per interval, all use it.

A ``SET NX`` lease per source decides who fetches; the winner publishes the source's new
state; the others install it when their own turn comes. Without a store every call is a no-op
and every process refreshes for itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

import orjson

from proxy.catalog.bulk import off_loop
from proxy.catalog.state import SourceState
from proxy.storage.base import KV

_LEASE_KEY = "ctxproxy:catalog:lease:{}"
_STATE_KEY = "ctxproxy:catalog:state:{}"


class SharedSources:
    def __init__(self, kv: KV | None) -> None:
        self.kv = kv

    async def take_lease(self, name: str, interval: float) -> bool:
        if self.kv is None:
            return True
        # Shorter than the next success delay (≥ 0.9 × interval): the holder can take it again.
        return await self.kv.set_nx(_LEASE_KEY.format(name), b"1", max(0.05, interval * 0.5))

    async def release(self, name: str) -> None:
        """After a failed round: any replica (this one too) may retry after its backoff."""
        if self.kv is not None:
            await self.kv.delete(_LEASE_KEY.format(name))

    async def publish(self, states: Mapping[str, SourceState]) -> None:
        if self.kv is None or not states:
            return
        encoded = await off_loop(_encode, states)
        for name, raw in encoded.items():
            await self.kv.set(_STATE_KEY.format(name), raw)

    async def newer(self, names: list[str], mine: Mapping[str, SourceState]) -> dict[str, SourceState]:
        """Published states fresher than ours."""
        out: dict[str, SourceState] = {}
        if self.kv is None:
            return out
        for name in names:
            raw = await self.kv.get(_STATE_KEY.format(name))
            if raw is None:
                continue
            state = await asyncio.to_thread(_decode, raw)
            current = mine.get(name)
            if current is None or (current.fetched_at or 0) < (state.fetched_at or 0):
                out[name] = state
        return out


def _encode(states: Mapping[str, SourceState]) -> dict[str, bytes]:
    return {name: orjson.dumps(state.to_snapshot()) for name, state in states.items()}


def _decode(raw: bytes) -> SourceState:
    return SourceState.from_snapshot(orjson.loads(raw))
