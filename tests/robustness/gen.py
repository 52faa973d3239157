"""A seeded generator of malformed requests for the four chat routes and the admin routes.

Each chat request starts from a valid body of its API (long enough, for the small-window
model, that the compactor really runs; tool calls, images, thinking, reasoning items
included) and gets one to three mutations: a node somewhere in the tree replaced by junk of
another JSON type (``"role": ["user"]``, ``"tool_calls": 5``, nesting 300 deep, huge
numbers, odd Unicode), a key dropped or added, a list shuffled or duplicated — or the raw
bytes broken (truncated, not UTF-8, not an object, empty). Headers and methods vary too.
The same seed gives the same requests.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson

SMALL_MODEL = "tiny-window"  # catalog override: a 2k window, so a few turns compress
MODELS = (
    SMALL_MODEL,
    SMALL_MODEL,
    "gpt-4o-mini",
    "claude-sonnet-4-5",
    "overflow-context",
    "overflow-max-tokens",
)
WORDS = (
    "alpha beta gamma delta build test deploy error warning file path line function result "
    "value config token cache stream agent model upstream retry window summary"
).split()

CHAT_PATHS = {
    "openai-chat": "/openai/chat/completions",
    "openai-responses": "/openai/responses",
    "anthropic": "/anthropic/v1/messages",
    "gemini": "/google/v1beta/models/{model}:generateContent",
}
ADMIN_PATHS = (
    "/livez",
    "/readyz",
    "/stats",
    "/v1/models",
    "/catalog/models",
    "/catalog/models/{junk}",
    "/catalog/changes",
    "/catalog/sources",
)
METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS")


@dataclass
class FuzzRequest:
    method: str
    path: str
    body: bytes
    headers: dict[str, str]
    api: str | None  # None: an admin route


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


def _text(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


# ---------------------------------------------------------------------------------------------
# valid seeds


def _openai_chat(rng: random.Random, model: str, turns: int) -> dict[str, Any]:
    msgs: list[dict[str, Any]] = [{"role": "system", "content": "You are terse."}]
    for t in range(turns):
        msgs.append({"role": "user", "content": _text(rng, rng.randint(20, 120))})
        if rng.random() < 0.4:
            cid = f"call_{t}"
            msgs.append(
                {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {"id": cid, "type": "function", "function": {"name": "read", "arguments": '{"p": 1}'}}
                    ],
                }
            )
            msgs.append({"role": "tool", "tool_call_id": cid, "content": _text(rng, rng.randint(50, 300))})
        if rng.random() < 0.2:
            msgs.append(
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": "see"},
                        {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}},
                    ],
                }
            )
        msgs.append({"role": "assistant", "content": _text(rng, rng.randint(10, 80))})
    msgs.append({"role": "user", "content": "next?"})
    body: dict[str, Any] = {"model": model, "messages": msgs, "max_tokens": 256}
    if rng.random() < 0.3:
        body["tools"] = [{"type": "function", "function": {"name": "read", "parameters": {"type": "object"}}}]
    if rng.random() < 0.3:
        body["stream"] = True
    return body


def _responses(rng: random.Random, model: str, turns: int) -> dict[str, Any]:
    if rng.random() < 0.1:
        return {"model": model, "input": _text(rng, 50), "instructions": "be terse"}
    items: list[dict[str, Any]] = [{"role": "developer", "content": "be terse"}]
    for t in range(turns):
        items.append(
            {"role": "user", "content": [{"type": "input_text", "text": _text(rng, rng.randint(20, 120))}]}
        )
        if rng.random() < 0.3:
            items.append({"type": "reasoning", "id": f"rs_{t}", "summary": [], "encrypted_content": "enc"})
        if rng.random() < 0.4:
            cid = f"call_{t}"
            items.append({"type": "function_call", "call_id": cid, "name": "read", "arguments": "{}"})
            items.append({"type": "function_call_output", "call_id": cid, "output": _text(rng, 200)})
        items.append(
            {
                "type": "message",
                "role": "assistant",
                "content": [{"type": "output_text", "text": _text(rng, 40)}],
            }
        )
    items.append({"role": "user", "content": "next?"})
    body: dict[str, Any] = {"model": model, "input": items, "max_output_tokens": 256}
    if rng.random() < 0.1:
        body["previous_response_id"] = "resp_1"
    if rng.random() < 0.3:
        body["stream"] = True
    return body


def _anthropic(rng: random.Random, model: str, turns: int) -> dict[str, Any]:
    msgs: list[dict[str, Any]] = []
    for t in range(turns):
        msgs.append({"role": "user", "content": _text(rng, rng.randint(20, 120))})
        if rng.random() < 0.4:
            tid = f"toolu_{t}"
            content: list[dict[str, Any]] = []
            if rng.random() < 0.3:
                content.append({"type": "thinking", "thinking": _text(rng, 20), "signature": "sig"})
            content.append({"type": "tool_use", "id": tid, "name": "read", "input": {"p": 1}})
            msgs.append({"role": "assistant", "content": content})
            msgs.append(
                {
                    "role": "user",
                    "content": [{"type": "tool_result", "tool_use_id": tid, "content": _text(rng, 200)}],
                }
            )
        msgs.append({"role": "assistant", "content": [{"type": "text", "text": _text(rng, 40)}]})
    msgs.append({"role": "user", "content": "next?"})
    body: dict[str, Any] = {"model": model, "max_tokens": 256, "system": "be terse", "messages": msgs}
    if rng.random() < 0.3:
        body["stream"] = True
    return body


def _gemini(rng: random.Random, model: str, turns: int) -> dict[str, Any]:
    contents: list[dict[str, Any]] = []
    for _ in range(turns):
        contents.append({"role": "user", "parts": [{"text": _text(rng, rng.randint(20, 120))}]})
        if rng.random() < 0.4:
            contents.append(
                {"role": "model", "parts": [{"functionCall": {"name": "read", "args": {"p": 1}}}]}
            )
            contents.append(
                {
                    "role": "user",
                    "parts": [
                        {"functionResponse": {"name": "read", "response": {"result": _text(rng, 200)}}}
                    ],
                }
            )
        contents.append({"role": "model", "parts": [{"text": _text(rng, 40)}]})
    contents.append({"role": "user", "parts": [{"text": "next?"}]})
    return {
        "contents": contents,
        "systemInstruction": {"parts": [{"text": "be terse"}]},
        "generationConfig": {"maxOutputTokens": 256},
    }


_SEEDS = {
    "openai-chat": _openai_chat,
    "openai-responses": _responses,
    "anthropic": _anthropic,
    "gemini": _gemini,
}


# ---------------------------------------------------------------------------------------------
# mutations


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


def _mutate(rng: random.Random, body: dict[str, Any]) -> None:
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


def _raw_mutation(rng: random.Random, raw: bytes) -> bytes:
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


def _headers(rng: random.Random, api: str | None) -> dict[str, str]:
    headers = {
        "Content-Type": rng.choice(("application/json", "text/plain", "application/x-www-form-urlencoded"))
    }
    if api == "anthropic" or rng.random() < 0.1:
        headers["anthropic-version"] = "2023-06-01"
    r = rng.random()
    if r < 0.3:
        headers["Authorization"] = rng.choice(
            ("Bearer k", "Bearer ", "Bearer dummy", "Basic x", "bearer", "k")
        )
    elif r < 0.4:
        headers["x-api-key"] = rng.choice(("k", "", "dummy"))
    if rng.random() < 0.2:
        headers["x-ctxproxy-agent"] = rng.choice(("a1", "../../x", "é" * 80, "a" * 200, ""))
    if rng.random() < 0.1:
        headers["x-request-id"] = rng.choice(("r-1", "x" * 300, "a b", ""))
    if rng.random() < 0.05:
        headers["Content-Encoding"] = rng.choice(("gzip", "deflate", "br", "identity", "zz"))
    return headers


def chat_request(rng: random.Random, api: str) -> FuzzRequest:
    model = rng.choice(MODELS)
    turns = rng.choice((1, 2, 5, 8)) if model == SMALL_MODEL else rng.choice((1, 2, 4))
    body = _SEEDS[api](rng, model, turns)
    if rng.random() < 0.93:
        for _ in range(rng.choice((1, 1, 2, 3))):
            _mutate(rng, body)
    try:
        raw = orjson.dumps(body)
    except orjson.JSONEncodeError:  # nesting deeper than orjson writes: send it by hand
        raw = b'{"model":"m","messages":[{"role":"user","content":' + b"[" * 300 + b"]" * 300 + b"}]}"
    if rng.random() < 0.1:
        raw = _raw_mutation(rng, raw)
    path = CHAT_PATHS[api].format(model=model)
    if rng.random() < 0.05:
        path = rng.choice(
            (path.replace(":generateContent", ":streamGenerateContent"), path + "/", "/agent/a1" + path)
        )
    method = "POST" if rng.random() < 0.97 else rng.choice(METHODS)
    return FuzzRequest(method, path, raw, _headers(rng, api), api)


def admin_request(rng: random.Random) -> FuzzRequest:
    # /metrics renders every series (tens of ms): a few of them are enough
    path = "/metrics" if rng.random() < 0.02 else rng.choice(ADMIN_PATHS)
    path = path.format(junk=rng.choice(("gpt-4o", "x/../y", "%00", "é", "a" * 300, "..")))
    if rng.random() < 0.5:
        path += "?" + rng.choice(
            (
                "since=junk",
                "since=2020-01-01",
                "since=9999-99-99T",
                "provider=openai",
                "upstream=%ff",
                "a=1&a=2",
                "since=",
            )
        )
    method = "GET" if rng.random() < 0.7 else rng.choice(METHODS)
    body = b"" if method in ("GET", "HEAD") else rng.choice((b"", b"{}", b"junk"))
    return FuzzRequest(method, path, body, _headers(rng, None), None)


def requests(seed: int, n: int, admin_share: float = 0.1) -> Iterator[FuzzRequest]:
    rng = random.Random(seed)
    apis = tuple(CHAT_PATHS)
    for i in range(n):
        if rng.random() < admin_share:
            yield admin_request(rng)
        else:
            yield chat_request(rng, apis[i % len(apis)])
