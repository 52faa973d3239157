"""Context-overflow detection on OpenAI's error bodies (Chat Completions and Responses, as an
HTTP error and as a streamed ``response.failed`` event), and the OpenAI errors it must ignore.
"""

from __future__ import annotations

import time

import pytest

from proxy.server.overflow import Overflow, detect_overflow, detect_overflow_event
from tests.unit.overflowkit import _json, _openai

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


def test_fast_enough_for_the_response_path() -> None:
    body = POSITIVE[1][2]
    start = time.perf_counter()
    for _ in range(2000):
        detect_overflow(400, body)
    per_call = (time.perf_counter() - start) / 2000
    assert per_call < 0.0005  # generous: ~20 µs measured; this only catches pathological regexes
