"""What a compaction leaves behind for the next turn: the state it stores, and the request
rebuilt from that state (the remembered prefix, byte for byte, with the new items appended)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from proxy.compress.state import CompactionState, items_hash
from proxy.wire import Conversation
from proxy.wire.base import WireAdapter


def apply_state(adapter: WireAdapter, conv: Conversation, state: CompactionState) -> Conversation:
    """The request with the remembered compaction applied to its first ``state.n`` items."""
    messages = conv.messages()  # in item order: index i is item i
    order = sorted(state.edits)
    for i, msg in zip(order, adapter.parse_items([state.edits[i] for i in order]), strict=True):
        messages[i] = replace(msg, index=i, tool_name=msg.tool_name or messages[i].tool_name)
    kept = [m for m in messages if m.index not in state.removed]
    return replace(adapter.build(conv.body, kept), summary=state.summary)


def new_state(final: Conversation, items: list[Any], previous: CompactionState | None) -> CompactionState:
    kept: dict[int, Any] = {}
    for m in final.messages():
        if m.index >= 0:
            kept[m.index] = m.raw
    removed = frozenset(i for i in range(len(items)) if i not in kept)
    edits = {i: raw for i, raw in kept.items() if raw is not items[i] and raw != items[i]}
    # Only the span up to the last edited or removed item must match next time: the rest
    # was sent verbatim, so a client that rewrites its tail still gets the prefix replayed.
    anchor = len(final.head) + (len(final.groups[0].messages) if final.groups else 0)
    n = max(anchor, max(removed, default=-1) + 1, max(edits, default=-1) + 1)
    return CompactionState(
        n=n,
        prefix_hash=items_hash(items[:n]),
        removed=removed,
        edits=edits,
        summary=final.summary,
        compactions=(previous.compactions + 1) if previous else 1,
    )
