"""Which groups of a conversation are never dropped (and edited only on protected overflow),
and which of those stay verbatim unless the request would not fit its input budget."""

from __future__ import annotations

from collections.abc import Sequence

from proxy.compress.dates import header_day
from proxy.compress.policy import Policy
from proxy.wire import Group


def protected_groups(groups: tuple[Group, ...], policy: Policy) -> set[int]:
    """Indices never dropped: first user group, newest user turn, recent groups, pinned, system
    (a system message that is only a date header excepted)."""
    keep: set[int] = set()
    if groups and groups[0].has_user_turn:
        keep.add(0)
    users = [i for i, g in enumerate(groups) if g.has_user_turn]
    if users:
        keep.add(users[-1])
    n = len(groups)
    keep.update(range(max(0, n - policy.keep_recent_groups), n))
    keep.update(i for i, g in enumerate(groups) if g.pinned or (g.kind == "system" and not _date_header(g)))
    return keep


def _date_header(group: Group) -> bool:
    """A system message that is only a date header (``Session 3 · Friday, 9 June 2023``), sent
    between turns: part of the conversation's flow, not an instruction. It is folded with the
    turns around it, and the digest's day labels carry its date."""
    return header_day("\n".join(m.text for m in group.messages)) is not None


def verbatim_groups(groups: Sequence[Group], task_protected: bool = True) -> set[int]:
    """Indices kept whole while the request fits its input budget: the task (the first user
    group, when ``task_protected``), the newest user turn, the newest group, and the newest
    assistant reply: its newest assistant group and the newest tool call with its outputs,
    unless a user turn lies between the two (a chat whose last tool call is long past)."""
    users = [i for i, g in enumerate(groups) if g.has_user_turn]
    keep = {users[0], users[-1]} if users and task_protected else set(users[-1:])
    if not groups:
        return keep
    keep.add(len(groups) - 1)
    replies = [i for i, g in enumerate(groups) if any(m.role == "assistant" for m in g.messages)]
    tools = [i for i, g in enumerate(groups) if any(m.results for m in g.messages)]
    if replies:
        keep.add(replies[-1])
        if tools and not any(tools[-1] < u < replies[-1] for u in users):
            keep.add(tools[-1])
    return keep
