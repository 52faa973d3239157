"""The fast path's reading of a chat body's bytes equals what the parsed body says, in each API.

:func:`proxy.server.skim.skim` reads the model, the output limit, a Responses chain and the
image/file parts without building the body; the decision "certainly under the trigger" is made
from them. Each reading must equal the wire adapter's on the parsed body (or be None: the body
goes down the parsing path), whatever the body hides: ``"model"`` inside a message's text,
``model`` keys nested in tool schemas, escaped quotes, non-ASCII, repeated keys, images in every
API's shape and nested in tool results.
"""

from __future__ import annotations

import orjson
import pytest

from proxy.server.skim import Skim, skim
from tests.unit.server.skimkit import GEMINI_TAIL, IMAGE, TOOLS, same


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
