"""The fast path's skim of a chat body's bytes against what the parsing path reads from them.

:func:`parsed` is the wire adapter's reading of the parsed body; :func:`same` skims the bytes
and asserts both readings are equal (and not None).
"""

from __future__ import annotations

import orjson

from proxy.compress.tokens import count_images
from proxy.server.skim import Skim, skim
from proxy.wire import get_adapter

GEMINI_TAIL = "v1beta/models/gemini-2.5-flash:generateContent"
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "pick",
            "parameters": {
                "type": "object",
                "properties": {"model": {"type": "string"}, "max_tokens": {"type": "integer"}},
            },
        },
    }
]


def parsed(api: str, raw: bytes, tail: str = "") -> Skim:
    """What the parsing path reads from the same bytes."""
    body = orjson.loads(raw)
    adapter = get_adapter(api)
    return Skim(
        adapter.model_id(body, tail),
        adapter.reserved_output(body),
        adapter.history_held_upstream(body),
        count_images(body.get(adapter.container)),
    )


def same(api: str, raw: bytes, tail: str = "") -> Skim:
    read = skim(api, raw, tail)
    assert read == parsed(api, raw, tail)
    assert read is not None
    return read


IMAGE = {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}}
