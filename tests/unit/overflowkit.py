"""Provider error bodies as each provider writes them, for the overflow detection tests.

``_openai``, ``_anthropic`` and ``_gemini`` build a JSON error body in that provider's
envelope around a message; ``_json`` dumps any other shape.
"""

from __future__ import annotations

import orjson


def _json(obj: object) -> bytes:
    return orjson.dumps(obj)


def _openai(
    message: str,
    code: str | None = None,
    param: str | None = "messages",
    etype: str = "invalid_request_error",
) -> bytes:
    return _json({"error": {"message": message, "type": etype, "param": param, "code": code}})


def _anthropic(message: str, etype: str = "invalid_request_error") -> bytes:
    return _json({"type": "error", "error": {"type": etype, "message": message}, "request_id": "req_011CV"})


def _gemini(message: str, code: int = 400, status: str = "INVALID_ARGUMENT") -> bytes:
    return _json({"error": {"code": code, "message": message, "status": status}})
