"""The fast path's reading of a chat body's bytes equals what the parsed body says.

:func:`proxy.server.skim.skim` reads the model, the output limit, a Responses chain and the
image/file parts without building the body; the decision "certainly under the trigger" is made
from them. Each reading must equal the wire adapter's on the parsed body (or be None: the body
goes down the parsing path), whatever the body hides: ``"model"`` inside a message's text,
``model`` keys nested in tool schemas, escaped quotes, non-ASCII, repeated keys, images in every
API's shape and nested in tool results.
"""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from proxy.compress.tokens import count_images
from proxy.server.skim import ModelHints, Skim, skim
from proxy.wire import get_adapter

GEMINI_TAIL = "v1beta/models/gemini-2.5-flash:generateContent"
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "pick",
            "parameters": {
                "type": "object",
                "properties": {"model": {"type": "string"}, "max_tokens": {"type": "integer"}},
            },
        },
    }
]


def parsed(api: str, raw: bytes, tail: str = "") -> Skim:
    """What the parsing path reads from the same bytes."""
    body = orjson.loads(raw)
    adapter = get_adapter(api)
    return Skim(
        adapter.model_id(body, tail),
        adapter.reserved_output(body),
        adapter.history_held_upstream(body),
        count_images(body.get(adapter.container)),
    )


def same(api: str, raw: bytes, tail: str = "") -> Skim:
    read = skim(api, raw, tail)
    assert read == parsed(api, raw, tail)
    assert read is not None
    return read


IMAGE = {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}}


def test_openai_chat_images_model_in_text_and_nested_model_keys() -> None:
    body = {
        "messages": [
            {"role": "system", "content": 'Answer with {"model": "gpt-3.5", "max_tokens": 1} only.'},
            {"role": "user", "content": [{"type": "text", "text": 'say "model":"x" \\"'}, IMAGE, IMAGE]},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "c",
                        "type": "function",
                        "function": {"name": "pick", "arguments": '{"model": "o3", "messages": []}'},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "c", "content": "ünïcödé ✓ 🚀 \u2028"},
        ],
        "model": "gpt-4.1",
        "tools": TOOLS,
        "max_completion_tokens": 900_000,
        "metadata": {"model": "not-this-one"},
    }
    read = same("openai-chat", orjson.dumps(body))
    assert read == Skim("gpt-4.1", 900_000, False, 2)


def test_escaped_and_non_ascii_json_as_other_clients_write_it() -> None:
    import json

    body = {
        "model": "gpt-4.1",
        "messages": [
            {"role": "user", "content": 'é "quoted" \\ / ' + "x" * 50},
            {"role": "user", "content": [IMAGE]},
        ],
    }
    for raw in (json.dumps(body).encode(), json.dumps(body, indent=2, ensure_ascii=False).encode()):
        assert same("openai-chat", raw).images == 1


def test_responses_input_image_file_and_chain() -> None:
    body = {
        "model": "gpt-4.1",
        "input": [
            {
                "role": "user",
                "content": [
                    {"type": "input_text", "text": "look"},
                    {"type": "input_image", "image_url": "https://x/y.png"},
                    {"type": "input_file", "file_id": "file-1"},
                ],
            },
            {
                "type": "function_call_output",
                "call_id": "c",
                "output": [{"type": "input_image", "file_id": "f"}],
            },
        ],
        "max_output_tokens": 2048,
    }
    assert same("openai-responses", orjson.dumps(body)) == Skim("gpt-4.1", 2048, False, 3)
    chained = {**body, "previous_response_id": "resp_1", "input": "next"}
    assert same("openai-responses", orjson.dumps(chained)).held_upstream


def test_anthropic_image_document_and_images_in_tool_results() -> None:
    source = {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}
    body = {
        "max_tokens": 64_000,
        "messages": [
            {
                "role": "user",
                "content": [
                    {"type": "image", "source": source},
                    {"type": "document", "source": {"type": "text", "data": "…"}},
                ],
            },
            {
                "role": "assistant",
                "content": [{"type": "tool_use", "id": "t", "name": "shot", "input": {"model": 1}}],
            },
            {
                "role": "user",
                "content": [
                    {
                        "type": "tool_result",
                        "tool_use_id": "t",
                        "content": [{"type": "text", "text": "ok"}, {"type": "image", "source": source}],
                    }
                ],
            },
        ],
        "model": "claude-sonnet-4-5",
        "system": [{"type": "text", "text": "be brief"}],
    }
    assert same("anthropic", orjson.dumps(body)) == Skim("claude-sonnet-4-5", 64_000, False, 3)


def test_gemini_inline_and_file_data_both_spellings_and_the_model_from_the_path() -> None:
    body = {
        "contents": [
            {
                "role": "user",
                "parts": [
                    {"text": "see"},
                    {"inline_data": {"mime_type": "image/png", "data": "AA=="}},
                    {"fileData": {"mimeType": "application/pdf", "fileUri": "gs://b/f"}},
                ],
            },
            {"role": "model", "parts": [{"inlineData": None}, {"file_data": {}}]},
        ],
        "generationConfig": {"maxOutputTokens": 8192},
    }
    assert same("gemini", orjson.dumps(body), GEMINI_TAIL) == Skim("gemini-2.5-flash", 8192, False, 4)
    # the adapter prefers ``generationConfig`` whenever the key is there, even null
    nulled = {**body, "generationConfig": None, "generation_config": {"max_output_tokens": 5}}
    assert same("gemini", orjson.dumps(nulled), GEMINI_TAIL).asked_output is None


def test_repeated_keys_read_as_orjson_reads_them() -> None:
    raw = (
        b'{"model":"small-one","max_tokens":10,"messages":[{"role":"user","content":"hi",'
        b'"content":[{"type":"image_url","image_url":{"url":"u"}}]}],"max_tokens":900000,"model":"gpt-4.1"}'
    )
    assert same("openai-chat", raw) == Skim("gpt-4.1", 900_000, False, 1)


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"not json",
        b"[1, 2]",
        b'{"model": "gpt-4.1", "messages": [}',
        b'{"model": "gpt-4.1"} trailing',
        b'{"model": "gpt-4.1", "messages": [1, 2]}',  # items that are not objects
        b'{"model": "gpt-4.1", "messages": [{"content": 5}]}',  # content of a type the walk skips
        b'{"model": "gpt-4.1", "messages": [{"content": ["text"]}]}',  # parts that are not objects
        b'{"model": "gpt-4.1", "x": ' + b"[" * 5000 + b"]" * 5000 + b"}",
    ],
)
def test_what_the_skim_cannot_read_goes_to_the_parsing_path(raw: bytes) -> None:
    assert skim("openai-chat", raw, "") is None


def test_an_api_without_a_skim() -> None:
    assert skim("embeddings", b'{"model": "m"}', "") is None


# -- any body the strategies below build: the skim reads what the parse reads (or declines) --

_TYPES = [
    "text",
    "image_url",
    "input_image",
    "image",
    "document",
    "input_file",
    "file",
    "tool_result",
    "input_text",
    "Image",
    7,
    None,
]
_KEYS = ["inlineData", "inline_data", "fileData", "file_data", "text", "model", "content", "parts"]
_scalars = st.one_of(st.none(), st.booleans(), st.integers(-3, 10**6), st.text(max_size=8))


def _parts(depth: int) -> st.SearchStrategy[Any]:
    part = st.fixed_dictionaries(
        {},
        optional={
            "type": st.sampled_from(_TYPES),
            "text": st.text(max_size=20),
            **{k: _scalars for k in _KEYS[:4]},
            **({"content": st.one_of(st.text(max_size=5), st.none(), _parts(depth - 1))} if depth else {}),
        },
    )
    return st.lists(part, max_size=4)


_content = st.one_of(st.text(max_size=30), st.none(), _parts(2))
_item = st.fixed_dictionaries(
    {"role": st.sampled_from(["user", "assistant", "tool", "model"])},
    optional={"content": _content, "parts": st.one_of(st.none(), _parts(1)), "output": _content},
)
_top = st.fixed_dictionaries(
    {},
    optional={
        "model": st.one_of(st.sampled_from(["gpt-4.1", "claude-x", 'a"b']), _scalars),
        "max_tokens": _scalars,
        "max_completion_tokens": _scalars,
        "max_output_tokens": _scalars,
        "previous_response_id": _scalars,
        "generationConfig": st.one_of(
            st.none(), st.fixed_dictionaries({}, optional={"maxOutputTokens": _scalars})
        ),
        "tools": st.just(TOOLS),
    },
)


@settings(max_examples=300, deadline=None)
@given(
    top=_top,
    items=st.lists(_item, max_size=6),
    api=st.sampled_from(["openai-chat", "openai-responses", "anthropic", "gemini"]),
)
def test_any_body_reads_the_same_or_goes_to_the_parsing_path(
    top: dict[str, Any], items: list[Any], api: str
) -> None:
    body = {**top, get_adapter(api).container: items}
    raw = orjson.dumps(body)
    tail = GEMINI_TAIL if api == "gemini" else "chat"
    read = skim(api, raw, tail)
    if read is not None:
        assert read == parsed(api, raw, tail)


def test_model_hints_remember_the_last_model_per_first_bytes() -> None:
    hints = ModelHints(max_size=2)
    pad = b"x" * 40_000
    a, b, c = b'{"model":"a",' + pad, b'{"model":"b",' + pad, b'{"model":"c",' + pad
    assert hints.get(a) is None
    hints.put(a, "a")
    hints.put(a + b"more", "a2")  # same first bytes: the last model wins
    assert hints.get(a) == "a2"
    hints.put(b, "b")
    hints.put(c, "c")  # full: forgets all, keeps the newest
    assert hints.get(a) is None and hints.get(c) == "c"
    hints.put(b'{"model":"small"}', "small")  # a small body skims in microseconds: no hint
    assert hints.get(b'{"model":"small"}') is None


# -- a conversation's next body: only its new part is skimmed (proxy.server.skim_memo) --


def _history(turns: int) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = [{"role": "system", "content": 'You answer "model" questions. ' * 40}]
    for t in range(turns):
        items.append({"role": "user", "content": [{"type": "text", "text": f"turn {t} " * 200}, IMAGE]})
        items.append({"role": "assistant", "content": f"done {t} ]" * 150})
    return items


LAYOUTS = {
    "model first": lambda items, **kw: {"model": "gpt-4.1", "messages": items, "stream": False, **kw},
    "sdk order, tools last": lambda items, **kw: {
        "messages": items,
        "model": "gpt-4.1",
        **kw,
        "tools": TOOLS,
    },
    "items last": lambda items, **kw: {"model": "gpt-4.1", **kw, "messages": items},
}


@pytest.mark.parametrize("layout", LAYOUTS)
def test_the_next_turn_reads_from_the_recorded_prefix_as_the_full_skim_does(layout: str) -> None:
    from proxy.server.skim_memo import Checkpoints

    make = LAYOUTS[layout]
    memo = Checkpoints()
    first = orjson.dumps(make(_history(12)))
    assert memo.skim("openai-chat", first, "") == (None, True)  # nothing recorded yet
    assert memo.record("openai-chat", first, orjson.loads(first))
    resend = memo.skim("openai-chat", first, "")
    assert resend == (same("openai-chat", first), False) and resend[0].images == 12
    # the newest items may still change (a client moving its cache breakpoint): the prefix
    # stops two items before the end of the list
    moved = make(_history(12))
    moved["messages"][-1]["content"] += " (cache breakpoint moved)"
    raw = orjson.dumps(moved)
    assert memo.skim("openai-chat", raw, "") == (same("openai-chat", raw), False)
    for extra in ({}, {"max_tokens": 700_000}, {"model": "gpt-4o-mini"}):
        nxt = orjson.dumps({**make(_history(14)), **extra})
        read = memo.skim("openai-chat", nxt, "")
        if read[0] is None:  # a changed model before the items: the prefix is not this body's
            assert "model" in extra and layout != "sdk order, tools last"
            continue
        assert read == (same("openai-chat", nxt), False) and read[0].images == 14
    longer = orjson.dumps(make(_history(40)))  # much more after the prefix than in it: record anew
    assert memo.skim("openai-chat", longer, "") == (same("openai-chat", longer), True)


def test_a_rewritten_earlier_item_or_a_new_part_that_does_not_decode_is_skimmed_whole() -> None:
    from proxy.server.skim_memo import Checkpoints

    memo = Checkpoints()
    first = orjson.dumps({"model": "gpt-4.1", "messages": _history(12)})
    assert memo.record("openai-chat", first, orjson.loads(first))
    rewritten = _history(13)
    rewritten[1]["content"][0]["text"] = "changed"
    raw = orjson.dumps({"model": "gpt-4.1", "messages": rewritten})
    # a miss: record the new body after its send, twice in a row, then only every 16th time
    assert [memo.skim("openai-chat", raw, "") for _ in range(4)] == [(None, True), (None, True)] + [
        (None, False)
    ] * 2
    bad_item = first[:-2] + b",5]}"  # a new item that is not an object
    assert memo.skim("openai-chat", bad_item, "")[0] is None and skim("openai-chat", bad_item, "") is None
    not_json = first[:-2] + b",{]}"
    assert memo.skim("openai-chat", not_json, "")[0] is None


def test_a_repeated_item_list_after_the_prefix_never_counts_fewer_parts() -> None:
    from proxy.server.skim_memo import Checkpoints

    memo = Checkpoints()
    first = orjson.dumps({"model": "gpt-4.1", "messages": _history(12), "stream": True})
    assert memo.record("openai-chat", first, orjson.loads(first))
    again = first[:-1] + b',"messages":[{"role":"user","content":[' + orjson.dumps(IMAGE) + b"]}]}"
    read = memo.skim("openai-chat", again, "")[0]
    assert read is not None and read.images >= parsed("openai-chat", again).images == 1


def test_a_bracket_outside_the_item_list_is_never_taken_for_its_end() -> None:
    from proxy.server.skim_memo import Checkpoints

    # the tools' closing bracket is followed by what follows the items in the parsed body
    body = {"messages": _history(12), "tools": [{"x": 1}], "model": "m"}
    raw = orjson.dumps(body).replace(b'"tools":[{"x":1}]', b'"tools":[{"x":1}],"model":"decoy"')
    memo = Checkpoints()
    memo.record("openai-chat", raw, {"messages": body["messages"], "tools": 1, "model": "m"})
    nxt = raw  # whatever was recorded, the reading is the full skim's
    assert memo.skim("openai-chat", nxt, "")[0] in (None, same("openai-chat", nxt))


def _agent(name: str, turns: int) -> bytes:
    """A body of one of several agents sharing a system prompt (their first bytes are equal)."""
    system = {"role": "system", "content": "You are one agent of a team. " * 3 + name}
    return orjson.dumps({"messages": [system, *_history(turns)], "model": "gpt-4.1"})


def test_agents_sharing_their_first_bytes_each_keep_a_prefix() -> None:
    from proxy.server.skim_memo import PER_HEAD, Checkpoints

    memo = Checkpoints()
    names = [f"agent {i}" for i in range(3)]
    assert len({_agent(n, 12)[:64] for n in names}) == 1
    for n in names:  # each agent's first body: nothing matches yet, so each is recorded
        first = _agent(n, 12)
        assert memo.skim("openai-chat", first, "")[1]
        assert memo.record("openai-chat", first, orjson.loads(first))
    assert len(memo) == 3
    for turns in (13, 14, 15):  # interleaved next turns: every agent reads from its own prefix
        for n in names:
            nxt = _agent(n, turns)
            assert memo.skim("openai-chat", nxt, "") == (same("openai-chat", nxt), False)
    newer = _agent(names[0], 40)  # a newer prefix of the same conversation replaces its older one
    assert memo.record("openai-chat", newer, orjson.loads(newer))
    assert len(memo) == 3
    assert memo.skim("openai-chat", _agent(names[1], 16), "")[0] is not None
    for i in range(PER_HEAD + 4):  # at most PER_HEAD per first bytes: the least recently used go
        other = _agent(f"other {i}", 12)
        memo.record("openai-chat", other, orjson.loads(other))
    assert len(memo) == PER_HEAD
    assert memo.skim("openai-chat", _agent(names[1], 17), "")[0] is None


def test_the_prefixes_are_bounded_in_bytes() -> None:
    from proxy.server.skim_memo import Checkpoints

    bodies = [_agent(f"agent {i}", 12) for i in range(4)]
    memo = Checkpoints(max_bytes=2 * len(bodies[0]))  # room for two prefixes
    for raw in bodies:
        memo.record("openai-chat", raw, orjson.loads(raw))
    assert 1 <= len(memo) <= 2
    assert memo.skim("openai-chat", _agent("agent 3", 13), "")[0] is not None  # the newest stays
