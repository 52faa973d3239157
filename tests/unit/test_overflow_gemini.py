"""Context-overflow detection on Gemini's error bodies (native and in the OpenAI-compatible
list envelope), and the quota errors it must ignore.
"""

from __future__ import annotations

import pytest

from proxy.server.overflow import Overflow, detect_overflow
from tests.unit.overflowkit import _gemini, _json

# (name, status, body, api, expected)
POSITIVE: list[tuple[str, int, bytes, str, Overflow]] = [
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
]


@pytest.mark.parametrize(
    ("status", "body", "api", "expected"), [p[1:] for p in POSITIVE], ids=[p[0] for p in POSITIVE]
)
def test_detects_overflow(status: int, body: bytes, api: str, expected: Overflow) -> None:
    assert detect_overflow(status, body) == expected


NEGATIVE: list[tuple[str, int, bytes, str]] = [
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
]


@pytest.mark.parametrize(("status", "body", "api"), [n[1:] for n in NEGATIVE], ids=[n[0] for n in NEGATIVE])
def test_ignores_non_overflow(status: int, body: bytes, api: str) -> None:
    assert detect_overflow(status, body) is None
