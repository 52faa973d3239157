"""A recording fake upstream for transport tests: OpenAI chat/Responses, Anthropic, and probes.

It speaks the wire formats (JSON and SSE) the real SDKs parse, records every request it sees
(method, path, query, headers, body) and has probe routes for slow streams, errors and echo.
"""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
from aiohttp import web

from tests.fakes.transport_anthropic import anthropic_messages
from tests.fakes.transport_base import STATE, FakeState, Seen, record, sse, stream, usage

__all__ = ["STATE", "FakeState", "Seen", "make_app"]


async def chat_completions(request: web.Request) -> web.StreamResponse:
    body = orjson.loads(await record(request))
    if "x-fake-answer-after-ms" in request.headers:  # a provider that takes its time
        await asyncio.sleep(float(request.headers["x-fake-answer-after-ms"]) / 1000.0)
    auth = request.headers.get("Authorization", "")
    if auth in ("", "Bearer "):
        return web.json_response(
            {
                "error": {
                    "message": "You didn't provide an API key.",
                    "type": "invalid_request_error",
                    "code": "missing_api_key",
                    "param": None,
                }
            },
            status=401,
        )
    if body.get("model") == "error-model":
        return web.json_response(
            {
                "error": {
                    "message": "The model `error-model` does not exist",
                    "type": "invalid_request_error",
                    "code": "model_not_found",
                    "param": None,
                }
            },
            status=404,
            headers={"x-upstream-marker": "yes"},
        )
    want_tool = bool(body.get("tools")) and body["messages"][-1].get("role") == "user"
    base = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": body.get("model")}
    if not body.get("stream"):
        message: dict[str, Any] = {"role": "assistant", "content": "Hello from fake"}
        finish = "stop"
        if want_tool:
            message = {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": body["tools"][0]["function"]["name"], "arguments": '{"x": 1}'},
                    }
                ],
            }
            finish = "tool_calls"
        return web.json_response(
            {
                "id": "chatcmpl-1",
                "object": "chat.completion",
                "created": 1,
                "model": body.get("model"),
                "choices": [{"index": 0, "message": message, "finish_reason": finish}],
                "usage": usage(),
            },
            headers={"x-upstream-marker": "yes"},
        )
    chunks = [sse({**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}}]})]
    if want_tool:
        name = body["tools"][0]["function"]["name"]
        chunks.append(
            sse(
                {
                    **base,
                    "choices": [
                        {
                            "index": 0,
                            "delta": {
                                "tool_calls": [
                                    {
                                        "index": 0,
                                        "id": "call_1",
                                        "type": "function",
                                        "function": {"name": name, "arguments": ""},
                                    }
                                ]
                            },
                        }
                    ],
                }
            )
        )
        for part in ('{"x"', ": 1}"):
            chunks.append(
                sse(
                    {
                        **base,
                        "choices": [
                            {
                                "index": 0,
                                "delta": {"tool_calls": [{"index": 0, "function": {"arguments": part}}]},
                            }
                        ],
                    }
                )
            )
        chunks.append(sse({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]}))
    else:
        for word in ("Hello", " from", " fake"):
            chunks.append(sse({**base, "choices": [{"index": 0, "delta": {"content": word}}]}))
        chunks.append(sse({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}))
    if (body.get("stream_options") or {}).get("include_usage"):
        chunks.append(sse({**base, "choices": [], "usage": usage()}))
    chunks.append(b"data: [DONE]\n\n")
    return await stream(request, chunks)


async def responses(request: web.Request) -> web.StreamResponse:
    body = orjson.loads(await record(request))
    resp_obj = {
        "id": "resp_1",
        "object": "response",
        "created_at": 1,
        "model": body.get("model"),
        "status": "in_progress",
        "output": [],
        "usage": None,
    }
    done = {
        **resp_obj,
        "status": "completed",
        "output": [
            {
                "type": "message",
                "id": "msg_1",
                "role": "assistant",
                "status": "completed",
                "content": [{"type": "output_text", "text": "Hello from fake", "annotations": []}],
            }
        ],
        "usage": {
            "input_tokens": 12,
            "output_tokens": 3,
            "total_tokens": 15,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens_details": {"reasoning_tokens": 0},
        },
    }
    if not body.get("stream"):
        return web.json_response(done)
    item = {"type": "message", "id": "msg_1", "role": "assistant", "status": "in_progress", "content": []}
    chunks = [
        sse({"type": "response.created", "sequence_number": 0, "response": resp_obj}, "response.created"),
        sse(
            {"type": "response.output_item.added", "sequence_number": 1, "output_index": 0, "item": item},
            "response.output_item.added",
        ),
    ]
    for i, word in enumerate(("Hello", " from", " fake")):
        chunks.append(
            sse(
                {
                    "type": "response.output_text.delta",
                    "sequence_number": 2 + i,
                    "item_id": "msg_1",
                    "output_index": 0,
                    "content_index": 0,
                    "delta": word,
                    "logprobs": [],
                },
                "response.output_text.delta",
            )
        )
    chunks.append(
        sse({"type": "response.completed", "sequence_number": 9, "response": done}, "response.completed")
    )
    return await stream(request, chunks)


async def slow_stream(request: web.Request) -> web.StreamResponse:
    """Streams one SSE event every 50 ms for a long time; records when the client goes away."""
    await record(request)
    state = request.app[STATE]
    resp = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
    await resp.prepare(request)
    try:
        for i in range(int(request.query.get("n", "2000"))):
            await resp.write(sse({"i": i}))
            state.stream_chunks_sent += 1
            await asyncio.sleep(0.05)
    except (ConnectionResetError, asyncio.CancelledError):
        state.stream_closed.set()
        raise
    state.stream_closed.set()
    await resp.write(b"data: [DONE]\n\n")
    await resp.write_eof()
    return resp


async def echo(request: web.Request) -> web.Response:
    body = await record(request)
    return web.Response(
        body=body,
        content_type=request.content_type or "application/octet-stream",
        headers={"x-echo-len": str(len(body))},
    )


async def sleepy(request: web.Request) -> web.Response:
    await record(request)
    await asyncio.sleep(float(request.query.get("s", "5")))
    return web.json_response({"ok": True})


def make_app() -> web.Application:
    app = web.Application(client_max_size=256 * 1024 * 1024)
    app[STATE] = FakeState()
    app.router.add_post("/v1/chat/completions", chat_completions)
    app.router.add_post("/v1/responses", responses)
    app.router.add_post("/v1/messages", anthropic_messages)
    app.router.add_post("/v1/slow/chat/completions", slow_stream)
    app.router.add_route("*", r"/v1/echo/{tail:[\s\S]*}", echo)  # any path, even a decoded CR LF
    app.router.add_get("/v1/sleepy", sleepy)
    app.router.add_get("/v1/models", echo)
    return app
