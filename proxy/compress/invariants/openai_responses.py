"""Responses API invariants: calls and outputs pair by call_id; reasoning keeps its follower."""

from __future__ import annotations

from typing import Any


def violations(body: dict[str, Any]) -> set[str]:
    items = body.get("input")
    if isinstance(items, str) or items is None:
        return set()
    if not isinstance(items, list):
        return {"input:not-a-list"}
    out: set[str] = set()
    calls: set[str] = set()
    answered: set[str] = set()
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        itype = str(item.get("type") or "message")
        cid = item.get("call_id")
        if itype == "reasoning":
            nxt = items[i + 1] if i + 1 < len(items) else None
            if not isinstance(nxt, dict) or (
                nxt.get("type") in (None, "message") and nxt.get("role") == "user"
            ):
                out.add(f"reasoning-without-follower:{item.get('id')}")
        elif cid is not None and itype.endswith("_output"):
            if str(cid) not in calls:
                out.add(f"orphan-output:{cid}")
            answered.add(str(cid))
        elif cid is not None:
            calls.add(str(cid))
    out.update(f"missing-output:{cid}" for cid in calls - answered)
    return out
