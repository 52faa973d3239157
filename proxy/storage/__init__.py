"""Key-value storage shared by the compactor state, summaries and the catalog snapshot."""

from proxy.storage.base import KV
from proxy.storage.factory import create_kv
from proxy.storage.memory import MemoryKV

__all__ = ["KV", "MemoryKV", "create_kv"]
