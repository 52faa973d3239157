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

import orjson

from tests.robustness.mutations import mutate, raw_mutation
from tests.robustness.seeds import SEEDS

SMALL_MODEL = "tiny-window"  # catalog override: a 2k window, so a few turns compress
MODELS = (
    SMALL_MODEL,
    SMALL_MODEL,
    "gpt-4o-mini",
    "claude-sonnet-4-5",
    "overflow-context",
    "overflow-max-tokens",
)
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
    body = SEEDS[api](rng, model, turns)
    if rng.random() < 0.93:
        for _ in range(rng.choice((1, 1, 2, 3))):
            mutate(rng, body)
    try:
        raw = orjson.dumps(body)
    except orjson.JSONEncodeError:  # nesting deeper than orjson writes: send it by hand
        raw = b'{"model":"m","messages":[{"role":"user","content":' + b"[" * 300 + b"]" * 300 + b"}]}"
    if rng.random() < 0.1:
        raw = raw_mutation(rng, raw)
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
