"""Wire adapters: lossless round trips and atomic grouping for every API family."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings

from proxy.wire import api_for_body, api_for_path, get_adapter
from tests.unit.compress.convgen import RENDER, scripts

REQUESTS = Path(__file__).resolve().parents[2] / "data" / "massgen-requests"


@pytest.mark.parametrize("path", sorted(REQUESTS.glob("*.json")), ids=lambda p: p.name)
def test_captured_massgen_bodies_round_trip_unchanged(path: Path) -> None:
    captured = orjson.loads(path.read_bytes())
    api = api_for_path(captured["path"])
    assert api is not None
    adapter = get_adapter(api)
    assert orjson.dumps(adapter.render(adapter.parse(captured["body"]))) == orjson.dumps(captured["body"])


@pytest.mark.parametrize("api", list(RENDER))
@settings(max_examples=15, deadline=None)
@given(script=scripts(max_turns=10))
def test_generated_bodies_round_trip_and_groups_keep_pairs(api: str, script: list[Any]) -> None:
    body = RENDER[api](script, images=True)
    adapter = get_adapter(api)
    conv = adapter.parse(body)
    assert adapter.render(conv) == body
    for group in conv.groups:
        calls = {c for m in group.messages for c in m.calls}
        results = {r for m in group.messages for r in m.results}
        assert results <= calls and calls <= results  # generated bodies answer every call


def test_chat_parallel_calls_form_one_group_with_their_results() -> None:
    body = {
        "messages": [
            {"role": "system", "content": "s"},
            {"role": "user", "content": "u"},
            {
                "role": "assistant",
                "tool_calls": [
                    {"id": "a", "type": "function", "function": {"name": "f", "arguments": "{}"}},
                    {"id": "b", "type": "function", "function": {"name": "g", "arguments": "{}"}},
                ],
            },
            {"role": "tool", "tool_call_id": "a", "content": "1"},
            {"role": "tool", "tool_call_id": "b", "content": "2"},
            {"role": "user", "content": "next"},
        ]
    }
    conv = get_adapter("openai-chat").parse(body)
    assert len(conv.head) == 1
    assert [len(g.messages) for g in conv.groups] == [1, 3, 1]
    assert conv.groups[1].messages[2].tool_name == "g"


def test_responses_reasoning_travels_with_its_call_and_outputs() -> None:
    body = {
        "input": [
            {"role": "user", "content": "u"},
            {"type": "reasoning", "id": "rs_1", "encrypted_content": "xyz", "summary": []},
            {"type": "function_call", "call_id": "c1", "name": "f", "arguments": "{}"},
            {"type": "function_call_output", "call_id": "c1", "output": "done"},
            {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "ok"}]},
        ]
    }
    conv = get_adapter("openai-responses").parse(body)
    assert [len(g.messages) for g in conv.groups] == [1, 3, 1]
    assert conv.groups[1].messages[0].opaque


def test_responses_string_input_round_trips() -> None:
    body = {"model": "gpt-4.1", "input": "hello"}
    adapter = get_adapter("openai-responses")
    assert adapter.render(adapter.parse(body)) == body


def test_anthropic_groups_start_at_assistant_turns_and_pin_compaction_blocks() -> None:
    body = {
        "messages": [
            {"role": "user", "content": "u"},
            {
                "role": "assistant",
                "content": [
                    {"type": "thinking", "thinking": "t", "signature": "s"},
                    {"type": "tool_use", "id": "t1", "name": "f", "input": {}},
                ],
            },
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "r"}]},
            {"role": "assistant", "content": [{"type": "compaction", "content": "summary"}]},
            {"role": "user", "content": "go"},
        ]
    }
    conv = get_adapter("anthropic").parse(body)
    assert [len(g.messages) for g in conv.groups] == [1, 2, 2]
    assert conv.groups[1].messages[0].opaque and not any(
        s.editable for s in conv.groups[1].messages[0].segments
    )
    assert conv.groups[2].pinned


def test_anthropic_summary_is_appended_to_the_first_user_message() -> None:
    body = {
        "messages": [
            {"role": "user", "content": "task"},
            {"role": "assistant", "content": "a"},
            {"role": "user", "content": "b"},
        ]
    }
    adapter = get_adapter("anthropic")
    conv = adapter.parse(body)
    out = adapter.render(conv.with_groups(conv.groups[:1] + conv.groups[2:], summary="S"))
    assert out["messages"][0] == {
        "role": "user",
        "content": [{"type": "text", "text": "task"}, {"type": "text", "text": "S"}],
    }


@pytest.mark.parametrize(
    ("path", "api"),
    [
        ("/v1/chat/completions", "openai-chat"),
        ("/openai/v1/responses", "openai-responses"),
        ("/anthropic/v1/messages", "anthropic"),
        ("/v1beta/models/gemini-2.5-flash:streamGenerateContent", "gemini"),
        ("/v1/models", None),
    ],
)
def test_api_for_path(path: str, api: str | None) -> None:
    assert api_for_path(path) == api


def test_api_for_body() -> None:
    assert api_for_body({"messages": [], "system": "s"}) == "anthropic"
    assert api_for_body({"messages": [{"role": "user", "content": "x"}]}) == "openai-chat"
    assert api_for_body({"input": "x"}) == "openai-responses"
    assert api_for_body({"contents": []}) == "gemini"
