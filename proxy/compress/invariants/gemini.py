"""Gemini invariants: every functionCall turn is answered by the next user turn, and back."""

from __future__ import annotations

from typing import Any

from proxy.wire.gemini_calls import call_keys


def violations(body: dict[str, Any]) -> set[str]:
    contents = body.get("contents")
    if not isinstance(contents, list):
        return {"contents:not-a-list"}
    out: set[str] = set()
    keys = call_keys(contents)
    for i, (content, (calls, results)) in enumerate(zip(contents, keys, strict=True)):
        role = content.get("role") if isinstance(content, dict) else None
        prev_calls = keys[i - 1][0] if i > 0 else []
        if results:
            out.update(f"orphan-response:{r}" for r in results if r not in prev_calls)
        if prev_calls:
            out.update(f"missing-response:{c}" for c in prev_calls if c not in results)
        if calls and role != "model":
            out.add("function-call-outside-model-turn")
    if contents and isinstance(contents[0], dict) and contents[0].get("role") == "model":
        out.add("first-role:model")
    return out
