"""The storage interface: bytes values, content-addressed keys, optional TTL, leases."""

from __future__ import annotations

from typing import Protocol


class KV(Protocol):
    """Async key-value store. Values are bytes (orjson-encoded by callers).

    ``set_nx`` is a lease: it sets only when the key is absent, with a TTL, and says whether
    it did — one replica refreshes the catalog, one computes a given summary.
    Implementations fail open: a backend error is logged and behaves like a miss.
    """

    async def get(self, key: str) -> bytes | None: ...

    async def set(self, key: str, value: bytes, ttl_s: float | None = None) -> None: ...

    async def set_nx(self, key: str, value: bytes, ttl_s: float) -> bool: ...

    async def delete(self, key: str) -> None: ...

    async def close(self) -> None: ...
