"""SDK clients against the strict fakes, for the fakes' own tests.

``_openai(fake)`` and ``_anthropic(fake)`` make a real SDK client on a fake's base URL (no
retries); the autouse fixture :func:`_close_clients`, imported by each test module that makes
clients, closes them before the test's loop ends. ``_body`` is an SDK error's raw response body.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import anthropic
import openai
import pytest

BIG = "lorem ipsum dolor sit amet " * 400  # ~2.4k tokens


_CLIENTS: list[openai.AsyncOpenAI | anthropic.AsyncAnthropic] = []


@pytest.fixture(autouse=True)
async def _close_clients() -> AsyncIterator[None]:
    """SDK clients a test made are closed before its loop ends (else: unclosed sockets)."""
    yield
    while _CLIENTS:
        await _CLIENTS.pop().close()


def _openai(fake: Any) -> openai.AsyncOpenAI:
    client = openai.AsyncOpenAI(base_url=fake.base_url, api_key="sk-test", max_retries=0)
    _CLIENTS.append(client)
    return client


def _anthropic(fake: Any) -> anthropic.AsyncAnthropic:
    client = anthropic.AsyncAnthropic(base_url=fake.base_url, api_key="sk-ant-test", max_retries=0)
    _CLIENTS.append(client)
    return client


def _body(exc: openai.APIStatusError | anthropic.APIStatusError) -> bytes:
    return exc.response.content
