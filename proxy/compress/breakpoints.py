"""Anthropic prompt-cache breakpoints on a compressed request whose client set none.

Anthropic caches a prefix only up to a ``cache_control`` breakpoint. A compressed request gets
two (of the four allowed): one at the end of the stable compacted prefix (the first user
message, whose last blocks are the summary's layers: the next compaction keeps them byte for
byte and reads them from the cache) and one on the last block of the request (the next turn,
which appends to it, reads everything up to there). A request that already carries a
``cache_control`` anywhere is left as the client wrote it. ``compression.cache_breakpoints:
false`` turns this off.
"""

from __future__ import annotations

from typing import Any

from proxy.compress.layers import CONTINUED, layers

EPHEMERAL = {"type": "ephemeral"}
MARKER = b'"cache_control"'


def _has_marker(value: Any) -> bool:
    if isinstance(value, dict):
        return "cache_control" in value or any(_has_marker(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_marker(v) for v in value)
    return False


def _marked(message: dict[str, Any]) -> dict[str, Any]:
    """``message`` with a breakpoint on its last content block (a copy; the original is kept)."""
    content = message.get("content")
    if isinstance(content, str):
        if not content:
            return message
        blocks: list[Any] = [{"type": "text", "text": content}]
    elif isinstance(content, list) and content and isinstance(content[-1], dict):
        blocks = list(content)
    else:
        return message
    last = blocks[-1]
    if last.get("type") in ("thinking", "redacted_thinking") or (
        last.get("type") == "text" and not last.get("text")
    ):
        return message  # thinking blocks and empty text blocks cannot carry a breakpoint
    blocks[-1] = {**last, "cache_control": EPHEMERAL}
    return {**message, "content": blocks}


def _layered(message: dict[str, Any], summary: str | None) -> dict[str, Any]:
    """The summary block of the first user message split into one block per layer: the
    breakpoint an earlier request set after its last layer stays a block boundary."""
    content = message.get("content")
    parts = layers(summary) if summary else []
    if len(parts) < 2 or not isinstance(content, list) or not content:
        return message
    last = content[-1]
    if not (isinstance(last, dict) and last.get("type") == "text" and last.get("text") == summary):
        return message
    blocks = [
        {"type": "text", "text": parts[0]},
        *({"type": "text", "text": CONTINUED + p} for p in parts[1:]),
    ]
    return {**message, "content": [*content[:-1], *blocks]}


def place_breakpoints(body: dict[str, Any], summary: str | None = None) -> dict[str, Any]:
    """The compressed Anthropic ``body`` with breakpoints after its stable compacted prefix and
    on its last message, unless the client placed its own; ``summary``: the anchored summary
    the first user message ends with (its layers become blocks of their own)."""
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return body
    if any(_has_marker(body.get(k)) for k in ("system", "tools", "messages")):
        return body
    out = list(messages)
    if isinstance(out[0], dict) and out[0].get("role") == "user":
        out[0] = _marked(_layered(out[0], summary))
    if len(out) > 1 and isinstance(out[-1], dict):
        out[-1] = _marked(out[-1])
    return {**body, "messages": out}
