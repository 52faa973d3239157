"""In-process storage: a TTL cache bounded by entries *and* bytes (cachetools)."""

from __future__ import annotations

import time

from cachetools import TTLCache

from proxy.storage.base import Latest

_ENTRY_BYTES = 200  # what one entry costs besides its value (key, slot, timer link), roughly


def _size(value: bytes) -> int:
    return len(value) + _ENTRY_BYTES


class MemoryKV:
    """Values are compaction states (which hold edited items), summaries, chain sizes: a count
    alone does not bound memory, so the cache also holds at most ``max_bytes``; the least
    recently used entries go first, and a value larger than the whole budget is not kept."""

    def __init__(self, max_items: int = 10000, ttl_s: float = 86400.0, max_bytes: int = 64 << 20) -> None:
        self._data: TTLCache[str, bytes] = TTLCache(maxsize=max_bytes, ttl=ttl_s, getsizeof=_size)
        self.max_items = max_items
        self._leases: dict[str, float] = {}

    async def get(self, key: str) -> bytes | None:
        return self._data.get(key)

    async def set(self, key: str, value: bytes, ttl_s: float | None = None) -> None:
        if _size(value) > self._data.maxsize:
            self._data.pop(key, None)
            return
        while key not in self._data and len(self._data) >= self.max_items:
            self._data.popitem()
        self._data[key] = value

    @property
    def bytes_used(self) -> int:
        return int(self._data.currsize)

    async def set_nx(self, key: str, value: bytes, ttl_s: float) -> bool:
        now = time.monotonic()
        expiry = self._leases.get(key)
        if expiry is not None and expiry > now:
            return False
        if len(self._leases) > 4096:
            self._leases = {k: v for k, v in self._leases.items() if v > now}
        self._leases[key] = now + ttl_s
        return True

    async def get_latest(self, key: str) -> Latest:
        found = await self.versioned(key)
        return Latest(found[1] if found else None, False)

    async def set_versioned(self, key: str, value: bytes, version: int, ttl_s: float | None = None) -> None:
        found = await self.versioned(key)
        if found is None or found[0] <= version:
            await self.set(key, version.to_bytes(8, "big") + value, ttl_s)

    async def versioned(self, key: str) -> tuple[int, bytes] | None:
        """A versioned entry: ``(version, value)`` (stored as an 8-byte version, then the value)."""
        raw = await self.get(key)
        if raw is None or len(raw) < 8:
            return None
        return int.from_bytes(raw[:8], "big"), raw[8:]

    async def delete(self, key: str) -> None:
        self._data.pop(key, None)
        self._leases.pop(key, None)

    async def close(self) -> None:
        self._data.clear()
