"""The recording fake upstream's Anthropic Messages route (JSON and SSE)."""

from __future__ import annotations

from typing import Any

import orjson
from aiohttp import web

from tests.fakes.transport_base import record, sse, stream


async def anthropic_messages(request: web.Request) -> web.StreamResponse:
    body = orjson.loads(await record(request))
    if not request.headers.get("x-api-key") and not request.headers.get("authorization"):
        return web.json_response(
            {
                "type": "error",
                "error": {"type": "authentication_error", "message": "x-api-key header is required"},
            },
            status=401,
        )
    if body.get("model") == "error-model":
        return web.json_response(
            {
                "type": "error",
                "error": {
                    "type": "invalid_request_error",
                    "message": "prompt is too long: 300000 tokens > 200000 maximum",
                },
            },
            status=400,
        )
    msg = {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": body.get("model"),
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {"input_tokens": 12, "output_tokens": 1},
    }
    want_tool = bool(body.get("tools")) and isinstance(body["messages"][-1].get("content"), str)
    if not body.get("stream"):
        content: list[dict[str, Any]] = [{"type": "text", "text": "Hello from fake"}]
        stop = "end_turn"
        if want_tool:
            content = [
                {"type": "tool_use", "id": "toolu_1", "name": body["tools"][0]["name"], "input": {"x": 1}}
            ]
            stop = "tool_use"
        return web.json_response(
            {
                **msg,
                "content": content,
                "stop_reason": stop,
                "usage": {"input_tokens": 12, "output_tokens": 3},
            }
        )
    chunks = [sse({"type": "message_start", "message": msg}, "message_start")]
    if want_tool:
        chunks += [
            sse(
                {
                    "type": "content_block_start",
                    "index": 0,
                    "content_block": {
                        "type": "tool_use",
                        "id": "toolu_1",
                        "name": body["tools"][0]["name"],
                        "input": {},
                    },
                },
                "content_block_start",
            ),
            sse(
                {
                    "type": "content_block_delta",
                    "index": 0,
                    "delta": {"type": "input_json_delta", "partial_json": '{"x": 1}'},
                },
                "content_block_delta",
            ),
        ]
        stop = "tool_use"
    else:
        chunks.append(
            sse(
                {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
                "content_block_start",
            )
        )
        for word in ("Hello", " from", " fake"):
            chunks.append(
                sse(
                    {
                        "type": "content_block_delta",
                        "index": 0,
                        "delta": {"type": "text_delta", "text": word},
                    },
                    "content_block_delta",
                )
            )
        stop = "end_turn"
    chunks += [
        sse({"type": "content_block_stop", "index": 0}, "content_block_stop"),
        sse(
            {
                "type": "message_delta",
                "delta": {"stop_reason": stop, "stop_sequence": None},
                "usage": {"output_tokens": 3},
            },
            "message_delta",
        ),
        sse({"type": "message_stop"}, "message_stop"),
    ]
    return await stream(request, chunks)
