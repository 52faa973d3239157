"""How the strict fakes count input tokens.

``json_tokens(value)``: tiktoken ``cl100k_base`` over the compact JSON of the conversation
fields (messages / input / system / tools / contents …), the same for every API. JSON keys
and escapes make it a slight over-count of what a provider counts, which is what a strict
fake wants. The encoding comes from LiteLLM's bundled tiktoken file, loaded the way the proxy
loads it (no network, no environment variable); if it cannot be loaded the count falls back
to ``ceil(len(json) / 4)``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

import orjson

from proxy.compress.encodings import Encodings

Counter = Callable[[Any], int]


@functools.lru_cache(maxsize=1)
def _encoder() -> Callable[[str], int] | None:
    try:
        encoding = Encodings().get("cl100k_base")
    except Exception:
        return None
    return lambda text: len(encoding.encode(text, disallowed_special=()))


def json_tokens(value: Any) -> int:
    raw = orjson.dumps(value).decode()
    encode = _encoder()
    return encode(raw) if encode is not None else -(-len(raw) // 4)


def chars_over_4(value: Any) -> int:
    return -(-len(orjson.dumps(value)) // 4)


def conversation_fields(body: Mapping[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {key: body[key] for key in keys if key in body}


def memo_json_tokens(maxsize: int = 200_000) -> Counter:
    """``json_tokens`` for many long conversations: each list item is counted once (memoized by
    its JSON), the list's brackets and commas added on top.

    Tokens never span an item boundary in compact JSON (``},{`` splits on punctuation), so the
    sum is within a token per item of counting the whole document, and a test that sends
    1,600 growing conversations stays in seconds instead of minutes.
    """
    memo: dict[bytes, int] = {}

    def count_item(raw: bytes) -> int:
        hit = memo.get(raw)
        if hit is None:
            if len(memo) >= maxsize:
                memo.clear()
            encode = _encoder()
            hit = memo[raw] = encode(raw.decode()) if encode is not None else -(-len(raw) // 4)
        return hit

    def count(value: Any) -> int:
        if isinstance(value, Mapping):
            return 1 + sum(count_item(orjson.dumps(k)) + 1 + count(v) for k, v in value.items())
        if isinstance(value, list):
            return 1 + sum(count_item(orjson.dumps(item)) + 1 for item in value)
        return count_item(orjson.dumps(value))

    return count
