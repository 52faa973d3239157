"""Anthropic Messages invariants (tool pairing, alternation, prefill, cache_control count)."""

from __future__ import annotations

from typing import Any

MAX_CACHE_CONTROL = 4


def _blocks(msg: dict[str, Any]) -> list[dict[str, Any]]:
    content = msg.get("content")
    return [b for b in content if isinstance(b, dict)] if isinstance(content, list) else []


def _count_cache_control(value: Any) -> int:
    if isinstance(value, dict):
        own = 1 if value.get("cache_control") is not None else 0
        return own + sum(_count_cache_control(v) for k, v in value.items() if k != "cache_control")
    if isinstance(value, list):
        return sum(_count_cache_control(v) for v in value)
    return 0


def violations(body: dict[str, Any]) -> set[str]:
    messages = body.get("messages")
    if not isinstance(messages, list):
        return {"messages:not-a-list"}
    out: set[str] = set()
    msgs = [m for m in messages if isinstance(m, dict)]
    if msgs and msgs[0].get("role") != "user":
        out.add("first-role:not-user")
    prev_uses: set[str] = set()
    prev_role = None
    for msg in msgs:
        role = msg.get("role")
        if role == prev_role:
            out.add(f"roles-not-alternating:{role}")
        blocks = _blocks(msg)
        results = [str(b.get("tool_use_id")) for b in blocks if b.get("type") == "tool_result"]
        if role == "user":
            for rid in results:
                if rid not in prev_uses:
                    out.add(f"orphan-result:{rid}")
            out.update(f"missing-result:{uid}" for uid in prev_uses - set(results))
            n_lead = 0
            while n_lead < len(blocks) and blocks[n_lead].get("type") == "tool_result":
                n_lead += 1
            if n_lead < len(results):
                out.add("tool-result-not-first")
            prev_uses = set()
        else:
            out.update(f"missing-result:{uid}" for uid in prev_uses)
            prev_uses = {str(b.get("id")) for b in blocks if b.get("type") == "tool_use"}
        prev_role = role
    if msgs and msgs[-1].get("role") == "assistant":
        content = msgs[-1].get("content")
        last_text = content if isinstance(content, str) else None
        blocks = _blocks(msgs[-1])
        if blocks and blocks[-1].get("type") == "text":
            last_text = str(blocks[-1].get("text", ""))
        if last_text is not None and last_text != last_text.rstrip():
            out.add("prefill-trailing-whitespace")
    if _count_cache_control([body.get("system"), body.get("tools"), msgs]) > MAX_CACHE_CONTROL:
        out.add("too-many-cache-control")
    return out
