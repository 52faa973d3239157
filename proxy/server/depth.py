"""The checks of a chat body near or over its trigger, done once per history item: its depth
(:func:`~proxy.server.request_body.check_depth`) and its shape (the adapter's
:meth:`~proxy.wire.base.ChatAPI.check`).

A body nested deeper than orjson writes (254 levels) is refused before the compactor might have
to write it back, and one whose fields have the wrong JSON types before anything parses it. An
agent resends its whole history every turn; writing a 0.5 MB history to find its depth costs
0.1–0.2 ms, checking the shape of its items ≈0.1 ms, every turn. Both checks split exactly: a
body is writable when its top-level fields are and its item list is, and an item list when
each slice of it is (each written at the depth it has in the body); the shape check looks at
each item on its own. So once a conversation's items passed, a resent history is checked from
its first new item on (and its other top-level fields every time).

A resent history is recognised as the token estimate recognises it (its first two items and
sampled item signatures, :class:`~proxy.compress.tokens.estimate.SeenConversations`), which a
client can fool by rewriting an item nobody sampled. Such a body still never goes upstream
re-serialized: under the trigger its original bytes are sent (the provider's 400); over it,
writing the compacted body fails, or the compaction raises, and the original bytes are sent
(fail open).
"""

from __future__ import annotations

from typing import Any

from proxy.compress.tokens.estimate import MIN_ITEMS, ItemSamples, SeenConversations
from proxy.server.errors import ProxyError
from proxy.server.request_body import MAX_DEPTH, check_depth, ensure_writable
from proxy.wire import ChatAPI, get_adapter


class DepthCheck:
    """:func:`check_depth` (and, with ``shape``, the adapter's shape check) memoized per
    conversation (up to ``max_size`` conversations). One instance is used one way: with the
    shape check or without it, with the depth check or without it (the fast path's, after the
    send), since what it remembers is that items passed its checks."""

    def __init__(self, max_size: int = 4096) -> None:
        self._checked = SeenConversations(max_size)

    def check(
        self,
        raw: bytes,
        body: dict[str, Any],
        api: str,
        scope: str,
        samples: ItemSamples | None = None,
        *,
        shape: bool = False,
        depth: bool = True,
    ) -> None:
        """Refuse (400 ``invalid_json``) a body nested deeper than :data:`MAX_DEPTH` (unless
        not ``depth``: a body sent as it came is never written back); with ``shape``, then (400
        ``invalid_request``) one whose fields the adapter reads have the wrong JSON types
        (:meth:`~proxy.wire.base.ChatAPI.check`). ``samples``: the item list's sampled hashes,
        shared with the request's estimate."""
        adapter = get_adapter(api)
        container = adapter.container
        items = body.get(container)
        if not isinstance(items, list) or len(items) < MIN_ITEMS:
            if depth:
                check_depth(raw, body)
            if shape:
                _check_shape(adapter, body, body)
            return
        if len(raw) <= 2 * MAX_DEPTH and not shape:  # a shorter body cannot nest deeper than that
            return
        key = SeenConversations.key(api, "", scope, items)
        start, _ = self._checked.resume(key, items, samples)
        rest = {k: v for k, v in body.items() if k != container}
        new = items[start:] if start else items
        if depth and len(raw) > 2 * MAX_DEPTH:
            ensure_writable(rest)
            ensure_writable({"": new})  # each item at its depth in the body
        if shape:  # the body's other fields, and its new items (the shape check is per item)
            _check_shape(adapter, {**rest, container: new} if start else body, body)
        self._checked.remember(key, items, 0, start, samples)


def _check_shape(adapter: ChatAPI, part: dict[str, Any], body: dict[str, Any]) -> None:
    problem = adapter.check(part)
    if problem is not None:
        if part is not body:  # name the field as it is in the whole body (its item's index)
            problem = adapter.check(body) or problem
        raise ProxyError(400, f"invalid request body: {problem}", "invalid_request")
