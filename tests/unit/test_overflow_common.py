"""What overflow detection ignores whatever the provider (a refused key, a server error, an
empty body, an answer that only mentions the words), and how it reads any body: numbers with
thousands separators, only the first 64 KiB.
"""

from __future__ import annotations

import pytest

from proxy.server.overflow import detect_overflow
from tests.unit.overflowkit import _anthropic, _json, _openai

NEGATIVE: list[tuple[str, int, bytes, str]] = [
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


def test_numbers_with_thousands_separators() -> None:
    body = _anthropic("prompt is too long: 1,200,000 tokens > 1,000,000 maximum")
    found = detect_overflow(400, body)
    assert found is not None and (found.limit, found.requested) == (1_000_000, 1_200_000)


def test_only_the_start_of_a_huge_body_is_read() -> None:
    body = _openai("x" * 200_000 + " maximum context length is 10 tokens", code=None)
    assert detect_overflow(400, body) is None  # unparseable prefix, phrase beyond 64 KiB
