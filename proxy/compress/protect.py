"""Which groups of a conversation are never dropped (and edited only on protected overflow)."""

from __future__ import annotations

from proxy.compress.policy import Policy
from proxy.wire import Group


def protected_groups(groups: tuple[Group, ...], policy: Policy) -> set[int]:
    """Indices never dropped: first user group, newest user turn, recent groups, pinned, system."""
    keep: set[int] = set()
    if groups and groups[0].has_user_turn:
        keep.add(0)
    users = [i for i, g in enumerate(groups) if g.has_user_turn]
    if users:
        keep.add(users[-1])
    n = len(groups)
    keep.update(range(max(0, n - policy.keep_recent_groups), n))
    keep.update(i for i, g in enumerate(groups) if g.pinned or g.kind == "system")
    return keep
