"""In-process storage: a bounded TTL cache (cachetools)."""

from __future__ import annotations

import time

from cachetools import TTLCache


class MemoryKV:
    def __init__(self, max_items: int = 10000, ttl_s: float = 86400.0) -> None:
        self._data: TTLCache[str, bytes] = TTLCache(maxsize=max_items, ttl=ttl_s)
        self._leases: dict[str, float] = {}

    async def get(self, key: str) -> bytes | None:
        return self._data.get(key)

    async def set(self, key: str, value: bytes, ttl_s: float | None = None) -> None:
        self._data[key] = value

    async def set_nx(self, key: str, value: bytes, ttl_s: float) -> bool:
        now = time.monotonic()
        expiry = self._leases.get(key)
        if expiry is not None and expiry > now:
            return False
        if len(self._leases) > 4096:
            self._leases = {k: v for k, v in self._leases.items() if v > now}
        self._leases[key] = now + ttl_s
        return True

    async def delete(self, key: str) -> None:
        self._data.pop(key, None)
        self._leases.pop(key, None)

    async def close(self) -> None:
        self._data.clear()
