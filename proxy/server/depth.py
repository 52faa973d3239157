"""The depth check of a chat body (:func:`~proxy.server.request_body.check_depth`), done once
per history item.

A body nested deeper than orjson writes (254 levels) is refused before the compactor might have
to write it back. An agent resends its whole history every turn; writing a 0.5 MB history to
find its depth costs 0.1–0.2 ms, every turn. The check splits exactly: a body is writable when
its top-level fields are and its item list is, and an item list when each slice of it is (each
written at the depth it has in the body). So once a conversation's items passed, a resent
history is checked from its first new item on.

A resent history is recognised as the token estimate recognises it (its first two items and
sampled item signatures, :class:`~proxy.compress.tokens.estimate.SeenConversations`), which a
client can fool by rewriting an item nobody sampled. Such a body still never goes upstream
re-serialized: under the trigger its original bytes are sent; over it, writing the compacted
body fails, and a compaction that raises sends the original bytes (fail open).
"""

from __future__ import annotations

from typing import Any

from proxy.compress.tokens.estimate import MIN_ITEMS, ItemSamples, SeenConversations
from proxy.server.request_body import MAX_DEPTH, check_depth, ensure_writable
from proxy.wire import get_adapter


class DepthCheck:
    """:func:`check_depth` memoized per conversation (up to ``max_size`` conversations)."""

    def __init__(self, max_size: int = 4096) -> None:
        self._checked = SeenConversations(max_size)

    def check(
        self, raw: bytes, body: dict[str, Any], api: str, scope: str, samples: ItemSamples | None = None
    ) -> None:
        """Refuse (400 ``invalid_json``) a body nested deeper than :data:`MAX_DEPTH`. ``samples``:
        the item list's sampled hashes, shared with the request's estimate."""
        if len(raw) <= 2 * MAX_DEPTH:  # a shorter body cannot nest deeper than that
            return
        container = get_adapter(api).container
        items = body.get(container)
        if not isinstance(items, list) or len(items) < MIN_ITEMS:
            check_depth(raw, body)
            return
        key = SeenConversations.key(api, "", scope, items)
        start, _ = self._checked.resume(key, items, samples)
        ensure_writable({k: v for k, v in body.items() if k != container})
        ensure_writable({"": items[start:] if start else items})  # each item at its depth in the body
        self._checked.remember(key, items, 0, start, samples)
