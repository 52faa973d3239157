"""Hypothesis: whatever an adapter's shape check accepts, the whole compaction chain handles.

Bodies are built from each API's skeleton with arbitrary JSON (any type, nesting, Unicode)
in the places the adapters read. For every body either ``adapter.check`` names a field (the
proxy's 400) or counting, the quick skip, the agent fingerprint and a forced compaction all
run without an exception — the property that keeps ``compression.failed`` for real bugs.
"""

from __future__ import annotations

import asyncio
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from proxy.compress import Compactor, Limits, TokenCounter
from proxy.config import load_settings
from proxy.server.identity import fingerprint
from proxy.wire import get_adapter

_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
    st.sampled_from(
        [
            "user",
            "assistant",
            "tool",
            "model",
            "system",
            "text",
            "image",
            "tool_use",
            "tool_result",
            "thinking",
            "function_call",
            "function_call_output",
            "reasoning",
            "input_text",
            "image_url",
            "call_1",
        ]
    ),
)
JSON = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
_KEYS = st.sampled_from(
    [
        "role",
        "type",
        "content",
        "text",
        "tool_calls",
        "tool_call_id",
        "call_id",
        "id",
        "name",
        "function",
        "output",
        "parts",
        "functionCall",
        "functionResponse",
        "tool_use_id",
        "input",
        "thinking",
        "response",
    ]
)


def _item(depth: int = 2) -> st.SearchStrategy[Any]:
    """A dict shaped like a wire item: known keys holding anything, sometimes nested items."""
    value = JSON if depth == 0 else st.one_of(JSON, st.lists(_item(depth - 1), max_size=3), _item(depth - 1))
    return st.dictionaries(_KEYS, value, max_size=5)


ITEMS = st.lists(st.one_of(_item(), JSON), min_size=1, max_size=12)
COMPACTOR = Compactor(load_settings(environ={}).compression, counter=TokenCounter())


def _body(api: str, items: list[Any], extra: Any) -> dict[str, Any]:
    if api == "gemini":
        return {"contents": items, "systemInstruction": extra, "generationConfig": {"maxOutputTokens": 64}}
    if api == "openai-responses":
        return {"model": "gpt-4o-mini", "input": items, "instructions": extra}
    if api == "anthropic":
        return {"model": "claude-sonnet-4-5", "max_tokens": 64, "system": extra, "messages": items}
    return {"model": "gpt-4o-mini", "messages": items, "tools": extra}


async def _chain(api: str, body: dict[str, Any]) -> None:
    model = body.get("model", "gemini-2.0-flash")
    await COMPACTOR.counter.estimate_request(api, body, model, scope="h")
    COMPACTOR.quick_skip(b"{}", body, api, model, Limits(512, None, 64), "h")
    fingerprint(api, body)
    await COMPACTOR.compress(body, api, model, Limits(512, None, 64), "h", force_target=0.3)


def _run(api: str, items: list[Any], extra: Any) -> None:
    body = _body(api, items, extra)
    if get_adapter(api).check(body) is None:
        asyncio.run(_chain(api, body))


_SETTINGS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_SETTINGS
@given(items=ITEMS, extra=JSON)
def test_openai_chat_shapes(items: list[Any], extra: Any) -> None:
    _run("openai-chat", items, extra)


@_SETTINGS
@given(items=ITEMS, extra=JSON)
def test_openai_responses_shapes(items: list[Any], extra: Any) -> None:
    _run("openai-responses", items, extra)


@_SETTINGS
@given(items=ITEMS, extra=JSON)
def test_anthropic_shapes(items: list[Any], extra: Any) -> None:
    _run("anthropic", items, extra)


@_SETTINGS
@given(items=ITEMS, extra=JSON)
def test_gemini_shapes(items: list[Any], extra: Any) -> None:
    _run("gemini", items, extra)
