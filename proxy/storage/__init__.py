"""Key-value storage for the compactor state, summaries, chain sizes and the catalog snapshot:
``memory`` (one bounded store per process) or ``redis`` (that store in front of Redis, shared
by the replicas: :mod:`proxy.storage.tiered`)."""

from proxy.storage.base import KV, Latest
from proxy.storage.factory import create_kv
from proxy.storage.memory import MemoryKV

__all__ = ["KV", "Latest", "MemoryKV", "create_kv"]
