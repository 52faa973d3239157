"""Context-overflow detection on realistic provider error bodies (and the ones it must ignore)."""

from __future__ import annotations

import time

import orjson
import pytest

from proxy.server.overflow import Overflow, detect_overflow, detect_overflow_event


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


# (name, status, body, api, expected)
POSITIVE: list[tuple[str, int, bytes, str, Overflow]] = [
    (
        "openai chat: messages resulted in",
        400,
        _openai(
            "This model's maximum context length is 128000 tokens. However, your messages resulted in "
            "130532 tokens. Please reduce the length of the messages.",
            code="context_length_exceeded",
        ),
        "openai",
        Overflow("context", 128000, 130532, 130532, None, "max_context_length"),
    ),
    (
        "openai chat: requested with completion",
        400,
        _openai(
            "This model's maximum context length is 16385 tokens. However, you requested 17421 tokens "
            "(15421 in the messages, 2000 in the completion). Please reduce the length of the messages or completion.",
            code="context_length_exceeded",
        ),
        "openai",
        Overflow("context", 16385, 17421, 15421, 2000, "max_context_length"),
    ),
    (
        "openai chat: functions variant is not a completion",
        400,
        _openai(
            "This model's maximum context length is 8192 tokens. However, your messages resulted in 9100 tokens "
            "(8700 in the messages, 400 in the functions). Please reduce the length of the messages or functions.",
            code="context_length_exceeded",
        ),
        "openai",
        Overflow("context", 8192, 9100, 8700, None, "max_context_length"),
    ),
    (
        "openai responses",
        400,
        _openai(
            "Your input exceeds the context window of this model. Please adjust your input and try again.",
            code="context_length_exceeded",
            param="input",
        ),
        "openai",
        Overflow("context", signal="responses"),
    ),
    (
        "openai: structured code with an unknown text",
        400,
        _openai("Something new and unparsed.", code="context_length_exceeded"),
        "openai",
        Overflow("context", signal="code"),
    ),
    (
        "anthropic: prompt is too long",
        400,
        _anthropic("prompt is too long: 208310 tokens > 200000 maximum"),
        "anthropic",
        Overflow("context", 200000, 208310, 208310, None, "anthropic_prompt_too_long"),
    ),
    (
        "anthropic: input length and max_tokens",
        400,
        _anthropic(
            "input length and `max_tokens` exceed context limit: 197606 + 21333 > 200000, "
            "decrease input length or `max_tokens` and try again"
        ),
        "anthropic",
        Overflow("max_tokens", 200000, 218939, 197606, 21333, "anthropic_max_tokens"),
    ),
    (
        "anthropic: 413 request_too_large",
        413,
        _anthropic(
            "Request exceeds the maximum allowed number of bytes. The maximum request size is 32 MB.",
            etype="request_too_large",
        ),
        "anthropic",
        Overflow("too_large", signal="request_too_large"),
    ),
    (
        "anthropic: 413 html from the edge",
        413,
        b"<html><head><title>413 Request Entity Too Large</title></head><body></body></html>",
        "anthropic",
        Overflow("too_large", signal="http_413"),
    ),
    (
        "gemini native",
        400,
        _gemini("The input token count (1196265) exceeds the maximum number of tokens allowed (1048575)."),
        "gemini",
        Overflow("context", 1048575, 1196265, 1196265, None, "gemini"),
    ),
    (
        "gemini openai-compat list envelope",
        400,
        _json(
            [
                {
                    "error": {
                        "code": 400,
                        "message": "The input token count (40000) exceeds the maximum number of tokens allowed (32768).",
                        "status": "INVALID_ARGUMENT",
                    }
                }
            ]
        ),
        "openai",
        Overflow("context", 32768, 40000, 40000, None, "gemini"),
    ),
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
    (
        "responses: streamed response.failed event",
        200,
        b'event: response.created\ndata: {"type":"response.created","response":{"id":"resp_1"}}\n\n'
        b"event: response.failed\ndata: "
        + _json(
            {
                "type": "response.failed",
                "response": {
                    "id": "resp_1",
                    "status": "failed",
                    "error": {
                        "code": "context_length_exceeded",
                        "message": "Your input exceeds the context window of this model. Please adjust your input and try again.",
                    },
                },
            }
        )
        + b"\n\n",
        "openai",
        Overflow("context", signal="responses"),
    ),
    (
        "anthropic streamed error event",
        200,
        b"event: error\ndata: " + _anthropic("prompt is too long: 1200 tokens > 1000 maximum") + b"\n\n",
        "anthropic",
        Overflow("context", 1000, 1200, 1200, None, "anthropic_prompt_too_long"),
    ),
]


@pytest.mark.parametrize(
    ("status", "body", "api", "expected"), [p[1:] for p in POSITIVE], ids=[p[0] for p in POSITIVE]
)
def test_detects_overflow(status: int, body: bytes, api: str, expected: Overflow) -> None:
    assert detect_overflow(status, body) == expected


NEGATIVE: list[tuple[str, int, bytes, str]] = [
    (
        "openai 429 rate limit (TPM)",
        429,
        _openai(
            "Request too large for gpt-4o in organization org-abc on tokens per min (TPM): Limit 30000, "
            "Requested 50000. The input or output tokens must be reduced in order to run successfully.",
            code="rate_limit_exceeded",
            etype="tokens",
            param=None,
        ),
        "openai",
    ),
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
    (
        "openai insufficient quota",
        429,
        _openai("You exceeded your current quota.", code="insufficient_quota"),
        "openai",
    ),
    (
        "openai string_above_max_length",
        400,
        _openai(
            "Invalid 'messages[1].content': string too long. Expected a string with maximum length 10485760, "
            "but got a string with length 12000000 instead.",
            code="string_above_max_length",
            param="messages[1].content",
        ),
        "openai",
    ),
    (
        "openai max output tokens (not the window)",
        400,
        _openai(
            "max_tokens is too large: 50000. This model supports at most 16384 completion tokens, whereas you provided 50000.",
            code="invalid_value",
            param="max_tokens",
        ),
        "openai",
    ),
    (
        "openai tool pairing",
        400,
        _openai(
            "An assistant message with 'tool_calls' must be followed by tool messages responding to each "
            "'tool_call_id'. The following tool_call_ids did not have response messages: call_1",
            param="messages.[2].role",
        ),
        "openai",
    ),
    (
        "gemini 429 resource exhausted",
        429,
        _gemini("Resource has been exhausted (e.g. check quota).", code=429, status="RESOURCE_EXHAUSTED"),
        "gemini",
    ),
    (
        "gemini resource_exhausted even under another status",
        400,
        _gemini(
            "You exceeded your current quota, please check your plan and billing details.",
            status="RESOURCE_EXHAUSTED",
        ),
        "gemini",
    ),
    (
        "anthropic rate limit",
        429,
        _anthropic(
            "Number of request tokens has exceeded your per-minute rate limit", etype="rate_limit_error"
        ),
        "anthropic",
    ),
    ("anthropic overloaded", 529, _anthropic("Overloaded", etype="overloaded_error"), "anthropic"),
    (
        "anthropic max output tokens",
        400,
        _anthropic(
            "max_tokens: 100000 > 64000, which is the maximum allowed number of output tokens for claude-sonnet-4-5"
        ),
        "anthropic",
    ),
    (
        "anthropic first message",
        400,
        _anthropic('messages: first message must use the "user" role'),
        "anthropic",
    ),
    (
        "auth",
        401,
        _openai("Incorrect API key provided: dummy.", code="invalid_api_key", etype="invalid_request_error"),
        "openai",
    ),
    ("server error", 500, b"Internal Server Error", "openai"),
    ("empty body", 400, b"", "openai"),
    (
        "ok json answer that mentions the phrase",
        200,
        _json({"choices": [{"message": {"content": "maximum context length is 5 tokens"}}]}),
        "openai",
    ),
    (
        "ok sse without error",
        200,
        b'data: {"choices":[{"delta":{"content":"context_length_exceeded"}}]}\n\ndata: [DONE]\n\n',
        "openai",
    ),
]


@pytest.mark.parametrize(("status", "body", "api"), [n[1:] for n in NEGATIVE], ids=[n[0] for n in NEGATIVE])
def test_ignores_non_overflow(status: int, body: bytes, api: str) -> None:
    assert detect_overflow(status, body) is None


def test_event_helper_reads_a_parsed_responses_failure() -> None:
    event = {
        "type": "response.failed",
        "response": {
            "error": {
                "code": "context_length_exceeded",
                "message": "Your input exceeds the context window of this model.",
            }
        },
    }
    assert detect_overflow_event(event) == Overflow("context", signal="responses")
    assert detect_overflow_event({"type": "response.completed", "response": {"error": None}}) is None


def test_numbers_with_thousands_separators() -> None:
    body = _anthropic("prompt is too long: 1,200,000 tokens > 1,000,000 maximum")
    found = detect_overflow(400, body)
    assert found is not None and (found.limit, found.requested) == (1_000_000, 1_200_000)


def test_only_the_start_of_a_huge_body_is_read() -> None:
    body = _openai("x" * 200_000 + " maximum context length is 10 tokens", code=None)
    assert detect_overflow(400, body) is None  # unparseable prefix, phrase beyond 64 KiB


def test_fast_enough_for_the_response_path() -> None:
    body = POSITIVE[1][2]
    start = time.perf_counter()
    for _ in range(2000):
        detect_overflow(400, body)
    per_call = (time.perf_counter() - start) / 2000
    assert per_call < 0.0005  # generous: ~20 µs measured; this only catches pathological regexes
