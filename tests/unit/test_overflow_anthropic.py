"""Context-overflow detection on Anthropic's error bodies (the prompt too long, input plus
``max_tokens`` over the window, a 413 as JSON or as the edge's HTML, a streamed error event), and
the Anthropic errors it must ignore.
"""

from __future__ import annotations

import pytest

from proxy.server.overflow import Overflow, detect_overflow
from tests.unit.overflowkit import _anthropic

# (name, status, body, api, expected)
POSITIVE: list[tuple[str, int, bytes, str, Overflow]] = [
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
]


@pytest.mark.parametrize(("status", "body", "api"), [n[1:] for n in NEGATIVE], ids=[n[0] for n in NEGATIVE])
def test_ignores_non_overflow(status: int, body: bytes, api: str) -> None:
    assert detect_overflow(status, body) is None
