"""A lenient fake upstream for fuzzing: every chat API answers whatever body it gets.

All four chat routes (OpenAI chat and Responses, Anthropic messages, Gemini generateContent
and streamGenerateContent) answer a JSON object body with a minimal valid response in their
API's shape (SSE when ``"stream": true`` or on ``:streamGenerateContent``) and anything else
with a 400 in that API's error shape. It never answers 5xx, and every response carries
``x-fake-upstream: 1``: a 5xx without it was made by the proxy.

Overflow on demand, to drive the proxy's retry path with whatever junk the body holds:
``"model": "overflow-context"`` (for Gemini: the model in the path) answers the provider's
context-length error while the body is over 6,000 bytes (a compacted retry fits), and
``"model": "overflow-max-tokens"`` Anthropic's "input length and `max_tokens` exceed context
limit: 1800 + 256 > 2000" while ``max_tokens`` is not a number of at most 136 (a retry with
the lowered value fits).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson
from aiohttp import web

MARKER = {"x-fake-upstream": "1"}


@dataclass
class LenientState:
    requests: int = 0
    by_route: dict[str, int] = field(default_factory=dict)
    overflows: int = 0
    last_body: bytes = b""  # the last chat request's bytes, as they arrived


STATE = web.AppKey("lenient_state", LenientState)


def _error(api: str, status: int, message: str) -> web.Response:
    if api == "anthropic":
        payload: Any = {"type": "error", "error": {"type": "invalid_request_error", "message": message}}
    elif api == "gemini":
        payload = {"error": {"code": status, "message": message, "status": "INVALID_ARGUMENT"}}
    else:
        payload = {"error": {"message": message, "type": "invalid_request_error", "code": None}}
    return web.Response(
        body=orjson.dumps(payload), status=status, content_type="application/json", headers=MARKER
    )


def _overflow(api: str, model: str) -> web.Response:
    if model == "overflow-max-tokens":
        return _error(
            "anthropic", 400, "input length and `max_tokens` exceed context limit: 1800 + 256 > 2000"
        )
    if api == "anthropic":
        return _error(api, 400, "prompt is too long: 5000 tokens > 2048 maximum")
    if api == "gemini":
        return _error(
            api, 400, "The input token count (5000) exceeds the maximum number of tokens allowed (2048)."
        )
    return _error(
        api,
        400,
        "This model's maximum context length is 2048 tokens. However, you requested 5000 tokens "
        "(4000 in the messages, 1000 in the completion). Please reduce the length of the messages.",
    )


_TEXT = "ok"


def _reply(api: str) -> Any:
    if api == "anthropic":
        return {
            "id": "msg_1",
            "type": "message",
            "role": "assistant",
            "model": "m",
            "content": [{"type": "text", "text": _TEXT}],
            "stop_reason": "end_turn",
            "stop_sequence": None,
            "usage": {"input_tokens": 12, "output_tokens": 1},
        }
    if api == "gemini":
        return {
            "candidates": [
                {"content": {"role": "model", "parts": [{"text": _TEXT}]}, "finishReason": "STOP"}
            ],
            "usageMetadata": {"promptTokenCount": 12, "candidatesTokenCount": 1, "totalTokenCount": 13},
        }
    if api == "openai-responses":
        return {
            "id": "resp_1",
            "object": "response",
            "status": "completed",
            "output": [
                {
                    "type": "message",
                    "id": "m1",
                    "role": "assistant",
                    "content": [{"type": "output_text", "text": _TEXT, "annotations": []}],
                }
            ],
            "usage": {"input_tokens": 12, "output_tokens": 1, "total_tokens": 13},
        }
    return {
        "id": "c1",
        "object": "chat.completion",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": _TEXT}, "finish_reason": "stop"}
        ],
        "usage": {"prompt_tokens": 12, "completion_tokens": 1, "total_tokens": 13},
    }


def _events(api: str) -> list[bytes]:
    reply = _reply(api)
    if api == "anthropic":
        start = {**reply, "content": [], "stop_reason": None}
        events = [
            ("message_start", {"type": "message_start", "message": start}),
            (
                "content_block_start",
                {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
            ),
            (
                "content_block_delta",
                {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": _TEXT}},
            ),
            ("content_block_stop", {"type": "content_block_stop", "index": 0}),
            (
                "message_delta",
                {
                    "type": "message_delta",
                    "delta": {"stop_reason": "end_turn"},
                    "usage": {"output_tokens": 1},
                },
            ),
            ("message_stop", {"type": "message_stop"}),
        ]
        return [
            f"event: {name}\n".encode() + b"data: " + orjson.dumps(data) + b"\n\n" for name, data in events
        ]
    if api == "openai-responses":
        done = {"type": "response.completed", "response": reply}
        return [b"event: response.completed\ndata: " + orjson.dumps(done) + b"\n\n"]
    if api == "gemini":
        return [b"data: " + orjson.dumps(reply) + b"\r\n\r\n"]
    chunk = {
        "id": "c1",
        "object": "chat.completion.chunk",
        "choices": [{"index": 0, "delta": {"content": _TEXT}}],
    }
    usage = {"id": "c1", "object": "chat.completion.chunk", "choices": [], "usage": reply["usage"]}
    return [
        b"data: " + orjson.dumps(chunk) + b"\n\n",
        b"data: " + orjson.dumps(usage) + b"\n\n",
        b"data: [DONE]\n\n",
    ]


_CONTEXT_BYTES = 6000
_FITTING_MAX_TOKENS = 2000 - 1800 - 64  # what the proxy lowers max_tokens to after the error


def _overflows(model: Any, body: dict[str, Any], raw: bytes) -> bool:
    if model == "overflow-context":
        return len(raw) > _CONTEXT_BYTES
    if model == "overflow-max-tokens":
        value = body.get("max_tokens")
        return not (isinstance(value, int) and not isinstance(value, bool) and value <= _FITTING_MAX_TOKENS)
    return False


def _handler(api: str) -> Any:
    async def handle(request: web.Request) -> web.StreamResponse:
        state = request.app[STATE]
        state.requests += 1
        state.by_route[api] = state.by_route.get(api, 0) + 1
        raw = state.last_body = await request.read()
        try:
            body = orjson.loads(raw)
        except orjson.JSONDecodeError:
            return _error(api, 400, "invalid JSON")
        if not isinstance(body, dict):
            return _error(api, 400, "body must be an object")
        model = request.match_info.get("model") if api == "gemini" else body.get("model")
        if _overflows(model, body, raw):
            state.overflows += 1
            return _overflow(api, str(model))
        streaming = body.get("stream") is True or request.path.endswith(":streamGenerateContent")
        if not streaming:
            return web.Response(
                body=orjson.dumps(_reply(api)), content_type="application/json", headers=MARKER
            )
        resp = web.StreamResponse(headers={"Content-Type": "text/event-stream", **MARKER})
        await resp.prepare(request)
        for event in _events(api):
            await resp.write(event)
        await resp.write_eof()
        return resp

    return handle


async def _other(request: web.Request) -> web.Response:
    request.app[STATE].requests += 1
    await request.read()
    return web.Response(status=404, body=b'{"error":{"message":"no such route"}}', headers=MARKER)


def make_app() -> web.Application:
    app = web.Application(client_max_size=64 * 1024 * 1024)
    app[STATE] = LenientState()
    app.router.add_post("/v1/chat/completions", _handler("openai-chat"))
    app.router.add_post("/v1/responses", _handler("openai-responses"))
    app.router.add_post("/v1/messages", _handler("anthropic"))
    app.router.add_post("/v1beta/models/{model}:generateContent", _handler("gemini"))
    app.router.add_post("/v1beta/models/{model}:streamGenerateContent", _handler("gemini"))
    app.router.add_route("*", "/{tail:.*}", _other)
    return app
