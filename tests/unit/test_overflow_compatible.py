"""Context-overflow detection on the error bodies of OpenAI-compatible servers: OpenRouter,
DeepSeek, vLLM, Mistral, llama.cpp, Cerebras, Fireworks, Together (TGI) and Groq, and Groq's
rate limit it must ignore.
"""

from __future__ import annotations

import pytest

from proxy.server.overflow import Overflow, detect_overflow
from tests.unit.overflowkit import _json, _openai

# (name, status, body, api, expected)
POSITIVE: list[tuple[str, int, bytes, str, Overflow]] = [
    (
        "openrouter",
        400,
        _json(
            {
                "error": {
                    "message": "This endpoint's maximum context length is 131072 tokens. However, you requested about "
                    "140385 tokens (136385 of text input, 4000 in the output). Please reduce the length of either one, "
                    'or use the "middle-out" transform to compress your prompt automatically.',
                    "code": 400,
                },
                "user_id": "user_2abc",
            }
        ),
        "openai",
        Overflow("context", 131072, 140385, 136385, 4000, "openrouter"),
    ),
    (
        "deepseek",
        400,
        _openai(
            "This model's maximum context length is 65536 tokens. However, you requested 70123 tokens "
            "(66123 in the messages, 4000 in the completion). Please reduce the length of the messages or completion.",
            code="invalid_request_error",
            param=None,
        ),
        "openai",
        Overflow("context", 65536, 70123, 66123, 4000, "max_context_length"),
    ),
    (
        "vllm: input too long",
        400,
        _json(
            {
                "object": "error",
                "message": "This model's maximum context length is 4096 tokens. However, you requested 5000 tokens "
                "(4000 in the messages, 1000 in the completion). Please reduce the length of the messages or completion.",
                "type": "BadRequestError",
                "param": None,
                "code": 400,
            }
        ),
        "openai",
        Overflow("context", 4096, 5000, 4000, 1000, "max_context_length"),
    ),
    (
        "vllm: max_tokens too large",
        400,
        _json(
            {
                "error": {
                    "message": "'max_tokens' or 'max_completion_tokens' is too large: 2048. This model's maximum "
                    "context length is 4096 tokens and your request has 3000 input tokens (2048 > 4096 - 3000). None",
                    "type": "BadRequestError",
                    "param": None,
                    "code": 400,
                }
            }
        ),
        "openai",
        Overflow("max_tokens", 4096, 5048, 3000, 2048, "vllm_max_tokens"),
    ),
    (
        "vllm: max_tokens too large but the input alone overflows",
        400,
        _json(
            {
                "error": {
                    "message": "'max_tokens' or 'max_completion_tokens' is too large: 512. This model's maximum "
                    "context length is 4096 tokens and your request has 4500 input tokens (512 > 4096 - 4500). None",
                    "type": "BadRequestError",
                    "code": 400,
                }
            }
        ),
        "openai",
        Overflow("context", 4096, 5012, 4500, 512, "vllm_max_tokens"),
    ),
    (
        "vllm: decoder prompt",
        400,
        _json(
            {
                "object": "error",
                "message": "The decoder prompt (length 9000) is longer than the maximum model length of 8192. "
                "Make sure that `max_model_len` is no smaller than the number of text tokens.",
                "type": "BadRequestError",
                "code": 400,
            }
        ),
        "openai",
        Overflow("context", 8192, 9000, 9000, None, "vllm_decoder"),
    ),
    (
        "mistral: prompt contains",
        400,
        _json(
            {
                "object": "error",
                "message": "Prompt contains 40015 tokens and 0 draft tokens, too large for model with 32768 maximum context length",
                "type": "invalid_request_error",
                "param": None,
                "code": None,
            }
        ),
        "openai",
        Overflow("context", 32768, 40015, 40015, None, "mistral"),
    ),
    (
        "mistral: exceeds the model's maximum context length",
        400,
        _json(
            {
                "object": "error",
                "message": "Input exceeds the model's maximum context length of 131072",
                "type": "invalid_request_error",
                "code": "3051",
            }
        ),
        "openai",
        Overflow("context", 131072, signal="mistral"),
    ),
    (
        "llama.cpp: structured",
        400,
        _json(
            {
                "error": {
                    "code": 400,
                    "message": "the request exceeds the available context size, try increasing it",
                    "type": "exceed_context_size_error",
                    "n_prompt_tokens": 5210,
                    "n_ctx": 4096,
                }
            }
        ),
        "openai",
        Overflow("context", 4096, 5210, 5210, None, "llama_cpp"),
    ),
    (
        "llama.cpp: text only (older servers, 500)",
        500,
        _json(
            {
                "error": {
                    "code": 500,
                    "message": "the request exceeds the available context size. try increasing the context size or enable context shift",
                    "type": "server_error",
                }
            }
        ),
        "openai",
        Overflow("context", signal="llama_cpp"),
    ),
    (
        "cerebras",
        400,
        _json(
            {
                "message": "Please reduce the length of the messages or completion. Current length is 9120 while limit is 8192",
                "type": "invalid_request_error",
                "param": "messages",
                "code": "context_length_exceeded",
            }
        ),
        "openai",
        Overflow("context", 8192, 9120, 9120, None, "cerebras"),
    ),
    (
        "fireworks",
        400,
        _json(
            {
                "error": {
                    "object": "error",
                    "type": "invalid_request_error",
                    "message": "The prompt is too long: 140000, model maximum context length: 131072",
                }
            }
        ),
        "openai",
        Overflow("context", 131072, 140000, 140000, None, "fireworks"),
    ),
    (
        "together / TGI: sum over the limit, input fits",
        422,
        _json(
            {
                "error": {
                    "message": "Input validation error: `inputs` tokens + `max_new_tokens` must be <= 32769. Given: 31000 `inputs` tokens and 4000 `max_new_tokens`",
                    "type": "invalid_request_error",
                }
            }
        ),
        "openai",
        Overflow("max_tokens", 32769, 35000, 31000, 4000, "tgi"),
    ),
    (
        "groq",
        400,
        _openai(
            "Please reduce the length of the messages or completion.",
            code="context_length_exceeded",
        ),
        "openai",
        Overflow("context", signal="code"),
    ),
]


@pytest.mark.parametrize(
    ("status", "body", "api", "expected"), [p[1:] for p in POSITIVE], ids=[p[0] for p in POSITIVE]
)
def test_detects_overflow(status: int, body: bytes, api: str, expected: Overflow) -> None:
    assert detect_overflow(status, body) == expected


NEGATIVE: list[tuple[str, int, bytes, str]] = [
    (
        "groq 413 tokens per minute",
        413,
        _openai(
            "Request too large for model `llama-3.3-70b-versatile` in organization `org_01` service tier `on_demand` "
            "on tokens per minute (TPM): Limit 6000, Requested 9000, please reduce your message size and try again.",
            code="rate_limit_exceeded",
            etype="tokens",
            param=None,
        ),
        "openai",
    ),
]


@pytest.mark.parametrize(("status", "body", "api"), [n[1:] for n in NEGATIVE], ids=[n[0] for n in NEGATIVE])
def test_ignores_non_overflow(status: int, body: bytes, api: str) -> None:
    assert detect_overflow(status, body) is None
