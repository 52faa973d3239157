"""What each provider writes when a request is too long: one rule per message text.

Each rule reads an error message and returns an :class:`Overflow` with the numbers the text
gives, or ``None``. ``RULES`` is their order: the max_tokens kinds come first, because their
texts also contain "maximum context length". The texts are those of reference/invariants.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

OverflowKind = Literal["context", "max_tokens", "too_large"]


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
GENERIC = re.compile(
    r"context[_ ]length[_ ]exceeded|context window exceeded|maximum context length|too many tokens"
    r"|reduce the length of the (?:messages|input|prompt)",
    re.I,
)


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
RULES: tuple[Callable[[str], Overflow | None], ...] = (
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
