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

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import orjson

OverflowKind = Literal["context", "max_tokens", "too_large"]

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


@dataclass(frozen=True, slots=True)
class Overflow:
    """What the provider said. Token numbers are the provider's own counts, when given.

    ``limit``: the model's context window (what the catalog should learn).
    ``requested``: the total the provider counted (input, or input + completion).
    ``prompt``: input tokens alone, when reported separately.
    ``completion``: the output reservation (``max_tokens``) counted against the window.
    ``signal``: which rule matched (a short, bounded name, fit for a metric label).
    """

    kind: OverflowKind
    limit: int | None = None
    requested: int | None = None
    prompt: int | None = None
    completion: int | None = None
    signal: str = "unknown"


def _int(text: str | None) -> int | None:
    if text is None:
        return None
    digits = text.replace(",", "").replace("_", "")
    return int(digits) if digits.isdigit() else None


_N = r"([\d,_]+)"

# --- max_tokens kinds (checked before the generic "maximum context length" texts) -------------
_ANTHROPIC_MAX_TOKENS = re.compile(
    rf"input length and `?max_tokens`? exceed context limit:\s*{_N}\s*\+\s*{_N}\s*>\s*{_N}", re.I
)
_VLLM_MAX_TOKENS = re.compile(r"'max_tokens' or 'max_completion_tokens' is too large", re.I)
_VLLM_MAX_TOKENS_NUMS = re.compile(
    rf"too large:\s*{_N}\.?.*?maximum context length is\s*{_N}\s*tokens.*?request has\s*{_N}\s*input tokens",
    re.I | re.S,
)
_TGI_SUM = re.compile(
    rf"`?inputs`? tokens \+ `?max_new_tokens`? must be <=\s*{_N}\.\s*Given:\s*{_N}\s*`?inputs`? tokens and\s*{_N}",
    re.I,
)

# --- context kinds -------------------------------------------------------------------------------
_ANTHROPIC_PROMPT = re.compile(rf"prompt is too long:\s*{_N}\s*tokens\s*>\s*{_N}", re.I)
_GEMINI = re.compile(
    rf"input token count \(?{_N}\)? exceeds the maximum number of tokens allowed \(?{_N}\)?", re.I
)
# OpenAI chat, DeepSeek, vLLM, OpenRouter ("This endpoint's …"), Groq, Together …
_MAX_CONTEXT = re.compile(rf"maximum context length is\s*{_N}\s*tokens", re.I)
_REQUESTED = re.compile(
    rf"(?:you requested|resulted in|request has|requested about)\s*(?:about\s*)?{_N}\s*(?:input\s*)?tokens",
    re.I,
)
_IN_MESSAGES = re.compile(rf"{_N}\s*(?:in the messages|of text input)", re.I)
_IN_COMPLETION = re.compile(rf"{_N}\s*in the (?:completion|output)", re.I)
_VLLM_DECODER = re.compile(
    rf"prompt \(length\s*{_N}\) is longer than the maximum model length of\s*{_N}", re.I
)
_MISTRAL = re.compile(rf"exceeds the model's maximum context length(?: of)?\s*{_N}?", re.I)
_MISTRAL_PROMPT = re.compile(
    rf"prompt contains\s*{_N}\s*tokens.*?too large for model with\s*{_N}\s*maximum context length",
    re.I | re.S,
)
_FIREWORKS = re.compile(rf"prompt is too long:\s*{_N},\s*model maximum context length:\s*{_N}", re.I)
_CEREBRAS = re.compile(rf"current length is\s*{_N}\s*while limit is\s*{_N}", re.I)
_LLAMA_CPP = re.compile(r"exceeds the available context size", re.I)
_RESPONSES = re.compile(r"input exceeds the context window", re.I)
_GENERIC = re.compile(
    r"context[_ ]length[_ ]exceeded|context window exceeded|maximum context length|too many tokens"
    r"|reduce the length of the (?:messages|input|prompt)",
    re.I,
)


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

    for rule in _RULES:
        found = rule(message)
        if found is not None:
            return found
    if structured:
        return Overflow("context", signal="code")
    if status == 413:  # a body over the byte limit (often an HTML page from a front proxy)
        return Overflow("too_large", signal="http_413")
    if _GENERIC.search(message):
        return Overflow("context", signal="text")
    return None


def _as_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _anthropic_max_tokens(message: str) -> Overflow | None:
    m = _ANTHROPIC_MAX_TOKENS.search(message)
    if m is None:
        return None
    prompt, completion, limit = _int(m[1]), _int(m[2]), _int(m[3])
    total = prompt + completion if prompt is not None and completion is not None else None
    return Overflow("max_tokens", limit, total, prompt, completion, "anthropic_max_tokens")


def _vllm_max_tokens(message: str) -> Overflow | None:
    if not _VLLM_MAX_TOKENS.search(message):
        return None
    m = _VLLM_MAX_TOKENS_NUMS.search(message)
    if m is None:
        return Overflow("max_tokens", signal="vllm_max_tokens")
    completion, limit, prompt = _int(m[1]), _int(m[2]), _int(m[3])
    total = prompt + completion if prompt is not None and completion is not None else None
    if prompt is not None and limit is not None and prompt >= limit:
        return Overflow("context", limit, total, prompt, completion, "vllm_max_tokens")
    return Overflow("max_tokens", limit, total, prompt, completion, "vllm_max_tokens")


def _tgi_sum(message: str) -> Overflow | None:
    m = _TGI_SUM.search(message)
    if m is None:
        return None
    limit, prompt, completion = _int(m[1]), _int(m[2]), _int(m[3])
    total = prompt + completion if prompt is not None and completion is not None else None
    kind: OverflowKind = (
        "context" if prompt is not None and limit is not None and prompt >= limit else "max_tokens"
    )
    return Overflow(kind, limit, total, prompt, completion, "tgi")


def _anthropic_prompt(message: str) -> Overflow | None:
    m = _ANTHROPIC_PROMPT.search(message)
    if m is None:
        return None
    requested = _int(m[1])
    return Overflow("context", _int(m[2]), requested, requested, None, "anthropic_prompt_too_long")


def _fireworks(message: str) -> Overflow | None:
    m = _FIREWORKS.search(message)
    if m is None:
        return None
    requested = _int(m[1])
    return Overflow("context", _int(m[2]), requested, requested, None, "fireworks")


def _gemini(message: str) -> Overflow | None:
    m = _GEMINI.search(message)
    if m is None:
        return None
    requested = _int(m[1])
    return Overflow("context", _int(m[2]), requested, requested, None, "gemini")


def _max_context(message: str) -> Overflow | None:
    m = _MAX_CONTEXT.search(message)
    if m is None:
        return None
    requested_m = _REQUESTED.search(message)
    messages_m = _IN_MESSAGES.search(message)
    completion_m = _IN_COMPLETION.search(message)
    requested = _int(requested_m[1]) if requested_m else None
    completion = _int(completion_m[1]) if completion_m else None
    prompt = _int(messages_m[1]) if messages_m else None
    if prompt is None and completion is None:
        prompt = requested
    signal = "openrouter" if "endpoint's maximum" in message.lower() else "max_context_length"
    return Overflow("context", _int(m[1]), requested, prompt, completion, signal)


def _vllm_decoder(message: str) -> Overflow | None:
    m = _VLLM_DECODER.search(message)
    if m is None:
        return None
    requested = _int(m[1])
    return Overflow("context", _int(m[2]), requested, requested, None, "vllm_decoder")


def _mistral(message: str) -> Overflow | None:
    m = _MISTRAL_PROMPT.search(message)
    if m is not None:
        requested = _int(m[1])
        return Overflow("context", _int(m[2]), requested, requested, None, "mistral")
    m = _MISTRAL.search(message)
    if m is None:
        return None
    return Overflow("context", _int(m[1]), signal="mistral")


def _cerebras(message: str) -> Overflow | None:
    m = _CEREBRAS.search(message)
    if m is None:
        return None
    requested = _int(m[1])
    return Overflow("context", _int(m[2]), requested, requested, None, "cerebras")


def _llama_cpp(message: str) -> Overflow | None:
    return Overflow("context", signal="llama_cpp") if _LLAMA_CPP.search(message) else None


def _responses(message: str) -> Overflow | None:
    return Overflow("context", signal="responses") if _RESPONSES.search(message) else None


# Order matters: the max_tokens kinds also contain "maximum context length".
_RULES: tuple[Callable[[str], Overflow | None], ...] = (
    _anthropic_max_tokens,
    _vllm_max_tokens,
    _tgi_sum,
    _anthropic_prompt,
    _fireworks,
    _gemini,
    _vllm_decoder,
    _mistral,
    _max_context,
    _cerebras,
    _llama_cpp,
    _responses,
)
