from __future__ import annotations

from proxy.config import StorageSettings
from proxy.storage.base import KV
from proxy.storage.memory import MemoryKV


def create_kv(settings: StorageSettings) -> KV:
    if settings.backend == "redis":
        from proxy.storage.redis import RedisKV

        assert settings.url
        return RedisKV(settings.url, default_ttl_s=settings.ttl_s)
    return MemoryKV(settings.max_items, settings.ttl_s, int(settings.max_mb * 1024 * 1024))
