"""Merge adjacent units into atomic groups so a tool call and all its results stay together."""

from __future__ import annotations

from collections.abc import Sequence

from proxy.wire.conversation import Group, GroupKind, Message


def group_kind(messages: Sequence[Message]) -> GroupKind:
    if any(m.calls or m.results for m in messages):
        return "tool"
    roles = {m.role for m in messages}
    if roles == {"user"}:
        return "user"
    if roles == {"assistant"}:
        return "assistant"
    if roles == {"system"}:
        return "system"
    return "other"


def merge_units(units: Sequence[Sequence[Message]]) -> tuple[Group, ...]:
    """Join units ``i..j`` whenever a call issued in ``i`` is answered in ``j``.

    Results with no earlier call (already broken input) stay where they are, alone.
    """
    issued: dict[str, int] = {}
    reach = list(range(len(units)))
    for i, unit in enumerate(units):
        for m in unit:
            for cid in m.results:
                start = issued.get(cid)
                if start is not None and start < i:
                    reach[start] = max(reach[start], i)
            for cid in m.calls:
                issued.setdefault(cid, i)
    groups: list[Group] = []
    i = 0
    while i < len(units):
        end = reach[i]
        j = i
        while j <= end:
            end = max(end, reach[j])
            j += 1
        msgs = tuple(m for unit in units[i:j] for m in unit)
        groups.append(Group(messages=msgs, kind=group_kind(msgs)))
        i = j
    return tuple(groups)


def turn_groups(msgs: Sequence[Message]) -> tuple[Group, ...]:
    """Groups for APIs whose roles must alternate (Anthropic, Gemini): units start at model
    turns, so dropping whole groups keeps user and model turns alternating."""
    units: list[list[Message]] = []
    for m in msgs:
        if not units or m.role == "assistant":
            units.append([m])
        else:
            units[-1].append(m)
    return merge_units(units)
