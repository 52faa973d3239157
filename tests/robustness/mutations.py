"""The fuzzer's mutations: how a valid request body is broken.

``mutate`` replaces a node of the JSON tree with junk of another type (favouring the
structural keys the adapters read), drops or adds a key, shuffles or duplicates a list, or
wraps a value; ``raw_mutation`` breaks the encoded bytes instead (truncated, not UTF-8,
not an object, a BOM, duplicate keys, trailing garbage).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any


def _junk(rng: random.Random) -> Any:
    pick = rng.randrange(18)
    if pick == 0:
        return None
    if pick == 1:
        return rng.choice((True, False))
    if pick == 2:
        return rng.choice((0, -1, 1, 2**63 - 1, -(2**63), 10**30))
    if pick == 3:
        return rng.choice((0.5, -1e308, 1e308, 1e-308))
    if pick == 4:
        return ""
    if pick == 5:
        return rng.choice(("\u202e\u0000\ufeff", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "\u00e9" * 50, "a\r\nb", "%2e%2e/", "{{"))
    if pick == 6:
        return []
    if pick == 7:
        return {}
    if pick == 8:
        return [rng.choice(("user", "text", 1, None))]
    if pick == 9:
        return {"type": rng.choice(("text", 1, None, ["text"]))}
    if pick == 10:
        depth = rng.choice((30, 120, 253, 260, 300, 600))
        value: Any = rng.choice(([], {}, "x"))
        for _ in range(depth):
            value = [value] if rng.random() < 0.7 else {"a": value}
        return value
    if pick == 11:
        return rng.choice(("user", "assistant", "tool", "model", "system", "developer", "function"))
    if pick == 12:
        return rng.choice(
            ("text", "image", "tool_use", "tool_result", "thinking", "function_call", "reasoning")
        )
    if pick == 13:
        return "x" * rng.choice((1, 100, 5000))
    if pick == 14:
        return [{"type": "text", "text": 5}, "str", 3]
    if pick == 15:
        return {"role": ["user"], "content": {"text": "hi"}}
    if pick == 16:
        return rng.choice(("call_1", "toolu_1", "fc_1"))
    return rng.choice((5, "5", [1], {"x": 1}))


def _nodes(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _nodes(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _nodes(v, (*path, i))


def _parent(body: Any, path: tuple[Any, ...]) -> Any:
    for key in path[:-1]:
        body = body[key]
    return body


def mutate(rng: random.Random, body: dict[str, Any]) -> None:
    paths = [p for p in _nodes(body) if p]
    # favour the structural fields the adapters read
    hot = [p for p in paths if isinstance(p[-1], str) and p[-1] in _HOT_KEYS]
    path = rng.choice(hot if hot and rng.random() < 0.6 else paths)
    parent = _parent(body, path)
    key = path[-1]
    op = rng.randrange(8)
    if op <= 3:
        parent[key] = _junk(rng)
    elif op == 4 and isinstance(parent, dict):
        del parent[key]
    elif op == 5 and isinstance(parent[key], list) and parent[key]:
        rng.shuffle(parent[key])
        if rng.random() < 0.5:
            parent[key].append(rng.choice(parent[key]))
    elif op == 6 and isinstance(parent[key], dict):
        parent[key][rng.choice(("type", "role", "content", "parts", "tool_calls", "id", "zz"))] = _junk(rng)
    else:
        parent[key] = [parent[key]] if rng.random() < 0.5 else {"wrapped": parent[key]}


_HOT_KEYS = frozenset(
    {
        "role",
        "type",
        "content",
        "messages",
        "input",
        "contents",
        "parts",
        "tool_calls",
        "tool_call_id",
        "call_id",
        "id",
        "tool_use_id",
        "function",
        "functionCall",
        "functionResponse",
        "system",
        "systemInstruction",
        "instructions",
        "max_tokens",
        "max_output_tokens",
        "generationConfig",
        "maxOutputTokens",
        "model",
        "text",
        "output",
        "stream",
        "previous_response_id",
        "user",
        "metadata",
    }
)


def raw_mutation(rng: random.Random, raw: bytes) -> bytes:
    pick = rng.randrange(9)
    if pick == 0:
        return raw[: rng.randrange(len(raw))]
    if pick == 1:
        return raw[:10] + b"\xff\xfe\x80" + raw[10:]
    if pick == 2:
        return rng.choice((b"[]", b"1", b'"x"', b"null", b"true", b""))
    if pick == 3:
        return b"[" * 2000 + b"]" * 2000
    if pick == 4:
        return raw.replace(b'"max_tokens":256', b'"max_tokens":NaN')
    if pick == 5:
        return b"\xef\xbb\xbf" + raw  # a BOM
    if pick == 6:
        return raw[:-1] + b',"model":"dup","model":[1]}'
    if pick == 7:
        return raw.replace(b'"', b"'", 3)
    return raw + b"trailing"
