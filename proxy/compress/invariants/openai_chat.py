"""Chat Completions invariants: every tool call answered right after it, no orphan results."""

from __future__ import annotations

from typing import Any


def violations(body: dict[str, Any]) -> set[str]:
    out: set[str] = set()
    messages = body.get("messages")
    if not isinstance(messages, list):
        return {"messages:not-a-list"}
    open_ids: set[str] = set()
    for msg in messages:
        if not isinstance(msg, dict):
            out.add("message:not-an-object")
            continue
        role = msg.get("role")
        if role == "tool":
            cid = str(msg.get("tool_call_id"))
            if cid in open_ids:
                open_ids.discard(cid)
            else:
                out.add(f"orphan-result:{cid}")
            continue
        if open_ids:
            out.update(f"missing-result:{cid}" for cid in open_ids)
            open_ids = set()
        if role == "assistant":
            for call in msg.get("tool_calls") or ():
                if isinstance(call, dict):
                    open_ids.add(str(call.get("id")))
    out.update(f"missing-result:{cid}" for cid in open_ids)
    if messages and isinstance(messages[-1], dict) and messages[-1].get("role") == "assistant":
        out.add("last-role:assistant")
    return out
