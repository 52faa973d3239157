"""Recognise a provider's context-length error in an upstream response.

``detect_overflow(status, body)`` looks at an upstream error response and says whether
the request was too long for the model, and what the provider told us about the numbers:

- ``kind="context"``: the input does not fit the window; compress tighter and retry.
- ``kind="max_tokens"``: the input fits, but input + requested output does not (Anthropic
  "input length and `max_tokens` exceed context limit", vLLM "'max_tokens' … is too large"):
  lower ``max_tokens`` instead of compressing.
- ``kind="too_large"``: the body is over the provider's byte limit (Anthropic 413
  ``request_too_large``); compress (no token numbers).

Structured fields are checked first (``error.code == "context_length_exceeded"``, Anthropic's
``request_too_large`` type, llama.cpp's ``exceed_context_size_error`` with ``n_ctx``), then the
message texts of reference/invariants.md. Rate-limit and quota errors (429, ``RESOURCE_EXHAUSTED``,
tokens-per-minute 413s) and ``string_above_max_length`` never match.

Pure and cheap: no I/O, at most the first 64 KiB of the body is parsed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import orjson

from proxy.server.overflow_texts import GENERIC, RULES, Overflow, OverflowKind

__all__ = ["Overflow", "OverflowKind", "detect_overflow", "detect_overflow_event"]

_MAX_BODY = 65536

# Error codes/types/statuses that mean "slow down" or "pay up", or a per-field size limit:
# compressing the conversation does not fix them.
_NEVER = frozenset(
    {
        "rate_limit_exceeded",
        "rate_limit_error",
        "insufficient_quota",
        "resource_exhausted",
        "overloaded_error",
        "string_above_max_length",
        "tokens_per_minute",
    }
)
_NEVER_TEXT = ("per minute", "(tpm)", "rate limit", "quota", "resource has been exhausted")


def detect_overflow(status: int, body: bytes) -> Overflow | None:
    """``Overflow`` if this upstream response is a context-length error, else ``None``.

    ``status`` is the HTTP status; ``body`` the (start of the) response body: a JSON error,
    a Gemini ``[{"error": …}]`` list, or SSE text whose ``data:`` carries an error event
    (a streamed Responses ``response.failed``). The texts of every family are recognised
    whatever the upstream's family (OpenAI-compatible routers relay them).
    """
    if status == 429 or (200 <= status < 300 and b"error" not in body[:_MAX_BODY]):
        return None
    errors = list(_error_objects(body[:_MAX_BODY]))
    if not errors and status >= 400:
        text = body[:_MAX_BODY].decode("utf-8", "replace")
        errors = [{"message": text}]
    for error in errors:
        found = _classify(status, error)
        if found is not None:
            return found
    return None


def detect_overflow_event(event: Mapping[str, Any]) -> Overflow | None:
    """The same for one already-parsed SSE event or JSON error (e.g. ``response.failed``)."""
    for error in _errors_in(event):
        found = _classify(200, error)
        if found is not None:
            return found
    return None


# --------------------------------------------------------------------------------------------
# envelope parsing


def _error_objects(body: bytes) -> Iterator[Mapping[str, Any]]:
    stripped = body.lstrip()
    if stripped.startswith((b"event:", b"data:", b":")):
        for line in stripped.splitlines():
            if line.startswith(b"data:"):
                payload = _loads(line[5:].strip())
                if payload is not None:
                    yield from _errors_in(payload)
        return
    payload = _loads(stripped)
    if payload is not None:
        yield from _errors_in(payload)


def _loads(raw: bytes) -> Any:
    if not raw or raw[:1] not in b"{[":
        return None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None


def _errors_in(payload: Any) -> Iterator[Mapping[str, Any]]:
    """The error objects of the envelopes providers use.

    OpenAI/Gemini/llama.cpp ``{"error": {…}}``, Anthropic ``{"type": "error", "error": {…}}``,
    Gemini streaming ``[{"error": …}]``, Responses ``{"type": "response.failed", "response":
    {"error": …}}``, bare ``{"message": …}`` and ``{"error": "text"}``.
    """
    if isinstance(payload, list):
        for item in payload[:8]:
            yield from _errors_in(item)
        return
    if not isinstance(payload, Mapping):
        return
    error = payload.get("error")
    if isinstance(error, Mapping):
        yield error
    elif isinstance(error, str):
        yield {"message": error, **{k: v for k, v in payload.items() if k != "error"}}
    response = payload.get("response")
    if isinstance(response, Mapping) and isinstance(response.get("error"), Mapping):
        yield response["error"]
    if error is None and isinstance(payload.get("message"), str):
        yield payload


# --------------------------------------------------------------------------------------------
# classification


def _lower(value: Any) -> str:
    return value.lower() if isinstance(value, str) else ""


def _message(error: Mapping[str, Any]) -> str:
    message = error.get("message")
    if isinstance(message, str):
        return message
    detail = error.get("detail")  # some OpenAI-compatible servers (FastAPI) use "detail"
    return detail if isinstance(detail, str) else ""


def _classify(status: int, error: Mapping[str, Any]) -> Overflow | None:
    code = _lower(error.get("code"))
    etype = _lower(error.get("type"))
    estatus = _lower(error.get("status"))
    message = _message(error)
    lowered = message.lower()
    if {code, etype, estatus} & _NEVER or any(text in lowered for text in _NEVER_TEXT):
        return None

    # structured fields first
    if etype == "request_too_large" or code == "request_too_large":
        return Overflow("too_large", signal="request_too_large")
    if etype == "exceed_context_size_error":  # llama.cpp server
        return Overflow(
            "context",
            limit=_as_int(error.get("n_ctx")),
            requested=_as_int(error.get("n_prompt_tokens")),
            prompt=_as_int(error.get("n_prompt_tokens")),
            signal="llama_cpp",
        )
    structured = code == "context_length_exceeded" or etype == "context_length_exceeded"

    for rule in RULES:
        found = rule(message)
        if found is not None:
            return found
    if structured:
        return Overflow("context", signal="code")
    if status == 413:  # a body over the byte limit (often an HTML page from a front proxy)
        return Overflow("too_large", signal="http_413")
    if GENERIC.search(message):
        return Overflow("context", signal="text")
    return None


def _as_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
