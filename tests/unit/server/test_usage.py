from __future__ import annotations

import orjson

from proxy.server.usage import Usage, UsageTap


def _collect(api: str, chunks: list[bytes], status: int = 200) -> list[Usage]:
    got: list[Usage] = []
    tap = UsageTap(api, got.append)
    for c in chunks:
        tap.feed(c)
    tap.finish(status)
    return got


def _sse(obj: object, event: str | None = None) -> bytes:
    return (f"event: {event}\n".encode() if event else b"") + b"data: " + orjson.dumps(obj) + b"\n\n"


def test_openai_chat_json_and_sse_split_across_chunks() -> None:
    body = orjson.dumps(
        {
            "usage": {
                "prompt_tokens": 100,
                "completion_tokens": 5,
                "prompt_tokens_details": {"cached_tokens": 64},
            }
        }
    )
    [u] = _collect("openai-chat", [body[:10], body[10:]])
    assert (u.input_tokens, u.cached_tokens, u.output_tokens) == (100, 64, 5)
    stream = (
        _sse({"choices": [{"delta": {"content": "hi"}}]})
        + _sse({"choices": [], "usage": {"prompt_tokens": 7, "completion_tokens": 2}})
        + b"data: [DONE]\n\n"
    )
    [u] = _collect("openai-chat", [stream[i : i + 7] for i in range(0, len(stream), 7)])
    assert u.input_tokens == 7


def test_responses_completed_event_gives_id_and_usage() -> None:
    stream = _sse(
        {"type": "response.created", "response": {"id": "resp_9", "object": "response", "usage": None}},
        "response.created",
    ) + _sse(
        {
            "type": "response.completed",
            "response": {
                "id": "resp_9",
                "object": "response",
                "usage": {
                    "input_tokens": 900,
                    "output_tokens": 10,
                    "input_tokens_details": {"cached_tokens": 512},
                },
            },
        },
        "response.completed",
    )
    [u] = _collect("openai-responses", [stream])
    assert (u.response_id, u.input_tokens, u.cached_tokens) == ("resp_9", 900, 512)


def test_anthropic_counts_cache_reads_in_input() -> None:
    stream = _sse(
        {
            "type": "message_start",
            "message": {
                "usage": {
                    "input_tokens": 10,
                    "cache_read_input_tokens": 1000,
                    "cache_creation_input_tokens": 5,
                    "output_tokens": 1,
                }
            },
        },
        "message_start",
    )
    stream += _sse({"type": "message_delta", "usage": {"output_tokens": 42}}, "message_delta")
    [u] = _collect("anthropic", [stream])
    assert (u.input_tokens, u.cached_tokens, u.output_tokens) == (1015, 1000, 42)


def test_gemini_usage_metadata() -> None:
    stream = _sse({"candidates": [], "usageMetadata": {"promptTokenCount": 321, "candidatesTokenCount": 4}})
    [u] = _collect("gemini", [stream])
    assert u.input_tokens == 321


def test_errors_and_missing_usage_report_nothing() -> None:
    assert _collect("openai-chat", [b'{"error": {"message": "x"}}'], status=400) == []
    assert _collect("openai-chat", [_sse({"choices": []}), b"data: [DONE]\n\n"]) == []
