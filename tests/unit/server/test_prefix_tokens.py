"""Near the trigger, the token bound from a counted prefix is never under the parsing path's estimate.

A conversation's next body starts with its previous body's recorded prefix; the prefix's tokens
are counted after that body's send (:meth:`FastPath.count_prefix`). The bound of the next body
is those tokens plus one per byte after the prefix, the message overhead per item after it and
the API's price per image part after it (:meth:`FromPrefix.token_bound`). Whatever comes after
the prefix — texts in any script, tool calls, images, empty items, fields after the item list,
the item list's key repeated — the bound must be at least what the parsing path counts, or a
body over its trigger could skip compaction.
"""

from __future__ import annotations

import math
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from proxy.compress.encodings import encoding_name_for
from proxy.compress.tokens import TokenCounter
from proxy.server.skim_memo import Checkpoints, FromPrefix
from proxy.wire import get_adapter

MODEL = "gpt-4.1"
COUNTER = TokenCounter()
IMAGE = {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}}
TOOLS = [{"type": "function", "function": {"name": "read", "parameters": {"type": "object"}}}]


async def _read_after(api: str, first: dict[str, Any], nxt: bytes) -> FromPrefix:
    """``nxt`` read from ``first``'s recorded and counted prefix."""
    raw = orjson.dumps(first)
    memo = Checkpoints()
    prefix = memo.record(api, raw, first)
    assert prefix is not None
    closed = orjson.loads(prefix.raw + b"]}")
    prefix.tokens = (encoding_name_for(MODEL), await COUNTER.raw_tokens(api, closed, MODEL))
    seen, _ = memo.from_prefix(api, nxt, "")
    assert seen is not None
    return seen


async def _holds(api: str, first: dict[str, Any], nxt: bytes) -> None:
    seen = await _read_after(api, first, nxt)
    adapter = get_adapter(api)
    bound = seen.token_bound(encoding_name_for(MODEL), adapter.message_overhead)
    assert bound is not None
    bound += seen.new_images * adapter.image_tokens
    body = orjson.loads(nxt)
    assert await COUNTER.raw_tokens(api, body, MODEL) <= bound
    estimate = await TokenCounter().estimate_request(api, body, MODEL)  # (a counter of its own: no memo)
    assert estimate <= math.ceil(bound * COUNTER.factor(MODEL))


def _history(n: int) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = [{"role": "system", "content": "You answer questions. " * 40}]
    for t in range(n):
        items.append({"role": "user", "content": f"question {t}: " + "why is the sky blue? " * 60})
        items.append({"role": "assistant", "content": f"answer {t}: " + "because of scattering. " * 60})
    return items


_text = st.text(max_size=400)
_chat_item = st.one_of(
    st.fixed_dictionaries({"role": st.sampled_from(["user", "assistant", "system"]), "content": _text}),
    st.fixed_dictionaries(
        {
            "role": st.just("user"),
            "content": st.lists(
                st.one_of(st.fixed_dictionaries({"type": st.just("text"), "text": _text}), st.just(IMAGE)),
                max_size=4,
            ),
        }
    ),
    st.fixed_dictionaries(
        {
            "role": st.just("assistant"),
            "content": st.none(),
            "tool_calls": st.lists(
                st.fixed_dictionaries(
                    {
                        "id": st.text(max_size=8),
                        "type": st.just("function"),
                        "function": st.fixed_dictionaries({"name": st.text(max_size=10), "arguments": _text}),
                    }
                ),
                max_size=3,
            ),
        }
    ),
    st.fixed_dictionaries({"role": st.just("tool"), "tool_call_id": st.text(max_size=8), "content": _text}),
    st.just({}),
    st.just({"role": "user"}),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    new=st.lists(_chat_item, max_size=12),
    rewrite_last=st.booleans(),
    after=st.sampled_from([{}, {"tools": TOOLS}, {"stream": True, "max_tokens": 100}]),
)
async def test_chat_next_bodies_stay_under_their_bound(
    new: list[dict[str, Any]], rewrite_last: bool, after: dict[str, Any]
) -> None:
    items = _history(16)
    first = {"model": MODEL, "messages": items, "max_tokens": 1000}
    kept = [*items[:-1], {"role": "assistant", "content": "rewritten"}] if rewrite_last else items
    nxt = orjson.dumps({"model": MODEL, "messages": kept + new, **after})
    await _holds("openai-chat", first, nxt)


async def test_items_with_fewer_bytes_than_their_overhead() -> None:
    first = {"model": MODEL, "messages": _history(16)}
    await _holds("openai-chat", first, orjson.dumps({**first, "messages": [*_history(16), *[{}] * 5000]}))


async def test_fields_before_the_list_and_the_list_key_repeated_after_it() -> None:
    items = _history(16)
    first = {"model": MODEL, "tools": TOOLS, "messages": items}
    base = orjson.dumps(
        {"model": MODEL, "tools": TOOLS, "messages": [*items, {"role": "user", "content": "next"}]}
    )
    await _holds("openai-chat", first, base)
    again = (
        base[:-1]
        + b',"tools":'
        + orjson.dumps(TOOLS * 5)
        + b',"messages":'
        + orjson.dumps(
            [{"role": "user", "content": ["x" * 3000, IMAGE][0]}, {"role": "user", "content": [IMAGE, IMAGE]}]
        )
        + b"}"
    )
    await _holds("openai-chat", first, again)


@pytest.mark.parametrize(
    "script", ["ascii words here ", "日本語のテキスト ", "ünïcödé ✓ 🚀 ", "0123456789" * 3]
)
async def test_anthropic_and_responses_next_bodies(script: str) -> None:
    source = {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}
    turns: list[dict[str, Any]] = []
    for t in range(10):
        turns.append({"role": "user", "content": [{"type": "text", "text": f"{t} " + script * 80}]})
        turns.append(
            {
                "role": "assistant",
                "content": [
                    {"type": "tool_use", "id": f"t{t}", "name": "read", "input": {"path": script * 5}}
                ],
            }
        )
        turns.append(
            {
                "role": "user",
                "content": [
                    {
                        "type": "tool_result",
                        "tool_use_id": f"t{t}",
                        "content": [
                            {"type": "text", "text": script * 90},
                            {"type": "image", "source": source},
                        ],
                    }
                ],
            }
        )
    first = {"model": MODEL, "max_tokens": 1000, "system": "be brief " * 30, "messages": turns}
    new = [
        {
            "role": "user",
            "content": [{"type": "text", "text": script * 200}, {"type": "image", "source": source}],
        }
    ]
    await _holds("anthropic", first, orjson.dumps({**first, "messages": turns + new}))

    items: list[dict[str, Any]] = []
    for t in range(10):
        items.append({"role": "user", "content": [{"type": "input_text", "text": script * 80}]})
        items.append({"type": "function_call", "call_id": f"c{t}", "name": "read", "arguments": script * 5})
        items.append({"type": "function_call_output", "call_id": f"c{t}", "output": script * 90})
    first = {"model": MODEL, "instructions": "be brief " * 30, "input": items}
    new = [
        {
            "type": "function_call_output",
            "call_id": "c9",
            "output": [{"type": "input_image", "image_url": "u"}],
        },
        {"role": "user", "content": [{"type": "input_text", "text": script * 200}]},
    ]
    await _holds("openai-responses", first, orjson.dumps({**first, "input": items + new}))


def test_a_parsed_body_is_recorded_when_its_prefix_is_missing_uncounted_or_far_behind() -> None:
    memo = Checkpoints()
    items = _history(16)
    first = orjson.dumps({"model": MODEL, "messages": items})
    assert memo.due("openai-chat", first)  # nothing recorded
    assert not memo.due("openai-chat", b'{"model":"m","messages":[]}')  # too small to be worth it
    prefix = memo.record("openai-chat", first, orjson.loads(first))
    assert prefix is not None
    near = orjson.dumps({"model": MODEL, "messages": [*items, {"role": "user", "content": "next"}]})
    assert memo.due("openai-chat", near)  # recorded, never counted
    prefix.tokens = (encoding_name_for(MODEL), 1)
    assert not memo.due("openai-chat", near)
    far = orjson.dumps({"model": MODEL, "messages": [*items, {"role": "user", "content": "x " * 5000}]})
    assert memo.due("openai-chat", far)  # more than RECOUNT bytes after the kept prefix
