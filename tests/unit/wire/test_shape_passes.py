"""The shape check's tight pass ("no problem") never disagrees with the full pass that names
the field: whenever the tight pass lets a body through, the full pass finds nothing either,
and whenever it does not, the check's answer is the full pass's."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from proxy.wire.shape import anthropic, gemini, openai
from tests.robustness.gen import chat_request

Check = Callable[[dict[str, Any]], str | None]
PASSES: dict[str, tuple[Check, Check]] = {  # api → (check as the adapters call it, full pass only)
    "openai-chat": (openai.check_openai_chat, openai._full_openai_chat),
    "openai-responses": (openai.check_openai_responses, openai._full_openai_responses),
    "anthropic": (anthropic.check_anthropic, anthropic._full_anthropic),
    "gemini": (gemini.check_gemini, gemini._full_gemini),
}


@pytest.mark.parametrize("api", list(PASSES))
def test_fuzzed_bodies_get_the_full_pass_answer(api: str) -> None:
    """The robustness fuzzer's bodies (valid ones, and ones with a field of the wrong type)."""
    check, full = PASSES[api]
    rng = random.Random(f"shape-{api}")
    answers = {"ok": 0, "problem": 0}
    for _ in range(800):
        try:
            body = orjson.loads(chat_request(rng, api).body)
        except orjson.JSONDecodeError:
            continue
        if not isinstance(body, dict):
            continue
        expected = full(body)
        assert check(body) == expected, body
        answers["ok" if expected is None else "problem"] += 1
    assert answers["ok"] > 50 and answers["problem"] > 50, answers  # both paths exercised


_SCALAR = st.one_of(
    st.none(), st.booleans(), st.integers(), st.text(max_size=4), st.sampled_from(["text", "x"])
)
_VALUE = st.recursive(
    _SCALAR,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=8,
)
_KEYS = st.sampled_from(
    [
        "role",
        "type",
        "content",
        "tool_calls",
        "tool_call_id",
        "call_id",
        "id",
        "name",
        "function",
        "output",
        "parts",
        "functionCall",
        "function_response",
        "tool_use_id",
        "approval_request_id",
        "text",
    ]
)
_ITEM = st.recursive(
    st.dictionaries(_KEYS, _SCALAR, max_size=4),
    lambda inner: st.dictionaries(_KEYS, st.one_of(_VALUE, inner, st.lists(inner, max_size=3)), max_size=5),
    max_leaves=10,
)
_TOP = {
    "openai-chat": ("messages", "tools"),
    "openai-responses": ("input", "instructions"),
    "anthropic": ("messages", "system"),
    "gemini": ("contents", "systemInstruction"),
}


@pytest.mark.parametrize("api", list(PASSES))
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    items=st.one_of(_VALUE, st.lists(st.one_of(_ITEM, _VALUE), max_size=6)), extra=st.one_of(_VALUE, _ITEM)
)
def test_arbitrary_items_get_the_full_pass_answer(api: str, items: Any, extra: Any) -> None:
    check, full = PASSES[api]
    container, other = _TOP[api]
    body = {"model": "m", container: items, other: extra}
    assert check(body) == full(body)
