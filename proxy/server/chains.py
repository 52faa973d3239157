"""Responses API chains (``previous_response_id``): the history lives at the provider.

The proxy cannot edit it, so it tracks each response's size (input + output tokens from
usage) and, when a continued chain nears the trigger, asks the provider to compact
(``context_management``) or truncate (``truncation: "auto"``) — per upstream setting.
"""

from __future__ import annotations

from typing import Any

from cachetools import LRUCache

from proxy.storage.base import KV
from proxy.tasks import BackgroundTasks


class ChainTracker:
    """Response id → tokens the chain holds after it. Local LRU, written through to the shared
    store (when there is one) so that any replica can judge a chain another one served."""

    def __init__(self, kv: KV | None = None, max_items: int = 50000, ttl_s: float = 86400.0) -> None:
        self._sizes: LRUCache[str, int] = LRUCache(maxsize=max_items)
        self._kv = kv
        self._ttl_s = ttl_s
        self._writes = BackgroundTasks("chains")

    def record(self, response_id: str, input_tokens: int, output_tokens: int | None) -> None:
        size = input_tokens + (output_tokens or 0)
        self._sizes[response_id] = size
        if self._kv is not None:
            self._writes.spawn(
                "write", self._kv.set(f"chain:{response_id}", str(size).encode(), ttl_s=self._ttl_s)
            )

    async def drain(self) -> None:
        """Wait for the shared-store writes still in flight."""
        await self._writes.drain()

    async def size(self, response_id: str) -> int | None:
        size = self._sizes.get(response_id)
        if size is None and self._kv is not None:
            raw = await self._kv.get(f"chain:{response_id}")
            if raw is not None and raw.isdigit():
                size = self._sizes[response_id] = int(raw)
        return size


def apply_native_compaction(body: dict[str, Any], mode: str, budget: int, target: float) -> str | None:
    """Add the provider-side compaction request to ``body`` (in place); returns what was added.

    A client that already set ``context_management`` / ``truncation`` is left alone.
    """
    if mode == "context_management":
        if "context_management" in body:
            return None
        body["context_management"] = [
            {"type": "compaction", "compact_threshold": max(1, int(budget * target))}
        ]
        return "context_management"
    if mode == "truncation":
        if body.get("truncation") not in (None, "disabled"):
            return None
        body["truncation"] = "auto"
        return "truncation"
    return None
