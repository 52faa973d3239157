"""The storage interface: bytes values, content-addressed keys, optional TTL, leases, and
versioned values (newest wins) for state that replicas update concurrently."""

from __future__ import annotations

from typing import NamedTuple, Protocol


class Latest(NamedTuple):
    """A versioned value as :meth:`KV.get_latest` found it."""

    value: bytes | None
    shared: bool  # the shared tier (Redis) answered this lookup; False: this process only


class KV(Protocol):
    """Async key-value store. Values are bytes (orjson-encoded by callers).

    ``set_nx`` is a lease: it sets only when the key is absent, with a TTL, and says whether
    it did — one replica refreshes the catalog, one computes a given summary.
    ``set_versioned`` / ``get_latest`` keep a version number with the value: a write never
    replaces a newer version, and a read returns the newest copy any tier holds.
    Implementations fail open: a backend error behaves like a miss (or a local-only write).
    """

    async def get(self, key: str) -> bytes | None: ...

    async def set(self, key: str, value: bytes, ttl_s: float | None = None) -> None: ...

    async def set_nx(self, key: str, value: bytes, ttl_s: float) -> bool: ...

    async def delete(self, key: str) -> None: ...

    async def get_latest(self, key: str) -> Latest: ...

    async def set_versioned(
        self, key: str, value: bytes, version: int, ttl_s: float | None = None
    ) -> None: ...

    async def close(self) -> None: ...
