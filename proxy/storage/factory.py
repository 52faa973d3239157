from __future__ import annotations

from proxy.config import StorageSettings
from proxy.observability.metrics import Metrics
from proxy.storage.base import KV
from proxy.storage.memory import MemoryKV
from proxy.storage.signals import StorageSignals


def create_kv(settings: StorageSettings, metrics: Metrics | None = None) -> KV:
    """``memory``: the bounded local store. ``redis``: the same local store in front of Redis
    (:class:`~proxy.storage.tiered.TieredKV`)."""
    local = MemoryKV(settings.max_items, settings.ttl_s, int(settings.max_mb * 1024 * 1024))
    if settings.backend != "redis":
        return local
    from proxy.storage.redis import RedisKV
    from proxy.storage.tiered import TieredKV

    assert settings.url
    shared = RedisKV(settings.url, default_ttl_s=settings.ttl_s, timeout_s=settings.timeout_s)
    return TieredKV(
        local,
        shared,
        StorageSignals("redis", metrics),
        lookup_budget_s=settings.lookup_budget_ms / 1000,
        breaker_failures=settings.breaker_failures,
        probe_max_s=settings.probe_max_s,
        write_queue=settings.write_queue,
    )
