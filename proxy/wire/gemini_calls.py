"""How Gemini pairs a ``functionCall`` with its ``functionResponse``: by ``id`` when present,
else by name in order. Read by the Gemini wire adapter and by the Gemini invariant check."""

from __future__ import annotations

from collections import Counter
from typing import Any


def get_field(part: dict[str, Any], camel: str, snake: str) -> tuple[str, Any]:
    """(key as spelled in the part, value) for a camelCase / snake_case field."""
    if camel in part:
        return camel, part[camel]
    return snake, part.get(snake)


def call_keys(contents: list[Any]) -> list[tuple[list[str], list[str]]]:
    """Per content: (call keys it issues, response keys it carries) — shared with the validator."""
    out: list[tuple[list[str], list[str]]] = []
    calls_seen: Counter[str] = Counter()
    results_seen: Counter[str] = Counter()
    for content in contents:
        calls: list[str] = []
        results: list[str] = []
        parts = content.get("parts") if isinstance(content, dict) else None
        for part in parts if isinstance(parts, list) else ():
            if not isinstance(part, dict):
                continue
            _, call = get_field(part, "functionCall", "function_call")
            _, resp = get_field(part, "functionResponse", "function_response")
            if isinstance(call, dict):
                name = str(call.get("name", ""))
                calls.append(str(call["id"]) if call.get("id") else f"{name}#{calls_seen[name]}")
                calls_seen[name] += 1
            elif isinstance(resp, dict):
                name = str(resp.get("name", ""))
                results.append(str(resp["id"]) if resp.get("id") else f"{name}#{results_seen[name]}")
                results_seen[name] += 1
        out.append((calls, results))
    return out
