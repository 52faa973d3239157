"""A recording fake upstream for transport tests: OpenAI chat/Responses, Anthropic, and probes.

It speaks the wire formats (JSON and SSE) the real SDKs parse, records every request it sees
(method, path, query, headers, body) and has probe routes for slow streams, errors and echo.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import orjson
from aiohttp import web
from multidict import CIMultiDict


@dataclass
class Seen:
    method: str
    path: str
    query: str
    headers: CIMultiDict[str]
    body: bytes

    def json(self) -> Any:
        return orjson.loads(self.body)


@dataclass
class FakeState:
    seen: list[Seen] = field(default_factory=list)
    stream_closed: asyncio.Event = field(default_factory=asyncio.Event)
    stream_chunks_sent: int = 0


STATE = web.AppKey("state", FakeState)


def _sse(obj: Any, event: str | None = None) -> bytes:
    head = f"event: {event}\n".encode() if event else b""
    return head + b"data: " + orjson.dumps(obj) + b"\n\n"


async def _record(request: web.Request) -> bytes:
    body = await request.read()
    request.app[STATE].seen.append(
        Seen(
            request.method, request.path, request.rel_url.raw_query_string, CIMultiDict(request.headers), body
        )
    )
    return body


async def _stream(request: web.Request, chunks: list[bytes], delay: float = 0.0) -> web.StreamResponse:
    resp = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
    await resp.prepare(request)
    for chunk in chunks:
        await resp.write(chunk)
        if delay:
            await asyncio.sleep(delay)
    await resp.write_eof()
    return resp


def _usage(prompt: int = 12, completion: int = 3) -> dict[str, int]:
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


async def chat_completions(request: web.Request) -> web.StreamResponse:
    body = orjson.loads(await _record(request))
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
                "usage": _usage(),
            },
            headers={"x-upstream-marker": "yes"},
        )
    chunks = [_sse({**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}}]})]
    if want_tool:
        name = body["tools"][0]["function"]["name"]
        chunks.append(
            _sse(
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
                _sse(
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
        chunks.append(_sse({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]}))
    else:
        for word in ("Hello", " from", " fake"):
            chunks.append(_sse({**base, "choices": [{"index": 0, "delta": {"content": word}}]}))
        chunks.append(_sse({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}))
    if (body.get("stream_options") or {}).get("include_usage"):
        chunks.append(_sse({**base, "choices": [], "usage": _usage()}))
    chunks.append(b"data: [DONE]\n\n")
    return await _stream(request, chunks)


async def responses(request: web.Request) -> web.StreamResponse:
    body = orjson.loads(await _record(request))
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
        _sse({"type": "response.created", "sequence_number": 0, "response": resp_obj}, "response.created"),
        _sse(
            {"type": "response.output_item.added", "sequence_number": 1, "output_index": 0, "item": item},
            "response.output_item.added",
        ),
    ]
    for i, word in enumerate(("Hello", " from", " fake")):
        chunks.append(
            _sse(
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
        _sse({"type": "response.completed", "sequence_number": 9, "response": done}, "response.completed")
    )
    return await _stream(request, chunks)


async def anthropic_messages(request: web.Request) -> web.StreamResponse:
    body = orjson.loads(await _record(request))
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
    chunks = [_sse({"type": "message_start", "message": msg}, "message_start")]
    if want_tool:
        chunks += [
            _sse(
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
            _sse(
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
            _sse(
                {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
                "content_block_start",
            )
        )
        for word in ("Hello", " from", " fake"):
            chunks.append(
                _sse(
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
        _sse({"type": "content_block_stop", "index": 0}, "content_block_stop"),
        _sse(
            {
                "type": "message_delta",
                "delta": {"stop_reason": stop, "stop_sequence": None},
                "usage": {"output_tokens": 3},
            },
            "message_delta",
        ),
        _sse({"type": "message_stop"}, "message_stop"),
    ]
    return await _stream(request, chunks)


async def slow_stream(request: web.Request) -> web.StreamResponse:
    """Streams one SSE event every 50 ms for a long time; records when the client goes away."""
    await _record(request)
    state = request.app[STATE]
    resp = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
    await resp.prepare(request)
    try:
        for i in range(int(request.query.get("n", "2000"))):
            await resp.write(_sse({"i": i}))
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
    body = await _record(request)
    return web.Response(
        body=body,
        content_type=request.content_type or "application/octet-stream",
        headers={"x-echo-len": str(len(body))},
    )


async def sleepy(request: web.Request) -> web.Response:
    await _record(request)
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
