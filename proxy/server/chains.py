"""Responses API chains (``previous_response_id``): the history lives at the provider.

The proxy cannot edit it, so it tracks each response's size (input + output tokens from
usage) and, when a continued chain nears the trigger, asks the provider to compact
(``context_management``) or truncate (``truncation: "auto"``) — per upstream setting.
"""

from __future__ import annotations

from typing import Any

from cachetools import LRUCache


class ChainTracker:
    def __init__(self, max_items: int = 50000) -> None:
        self._sizes: LRUCache[str, int] = LRUCache(maxsize=max_items)

    def record(self, response_id: str, input_tokens: int, output_tokens: int | None) -> None:
        self._sizes[response_id] = input_tokens + (output_tokens or 0)

    def size(self, response_id: str) -> int | None:
        return self._sizes.get(response_id)


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
