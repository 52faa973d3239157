"""The soak benchmark's upstream: a Chat Completions endpoint on loopback that answers every
request with a short stream of 8 SSE events (some text, a tool call, a ``usage`` chunk with the
prompt counted as bytes / 4, ``[DONE]``), and a ``/health`` route to wait on. ``soak.py``
starts it in a process of its own with ``--upstream PORT``."""

from __future__ import annotations

import random

import orjson
from aiohttp import web

MODEL = "soak-model"


def _event(delta: dict[str, object], finish: str | None = None, usage: dict[str, int] | None = None) -> bytes:
    event: dict[str, object] = {
        "id": "chatcmpl-soak",
        "object": "chat.completion.chunk",
        "created": 1700000000,
        "model": MODEL,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}] if usage is None else [],
    }
    if usage is not None:
        event["usage"] = usage
    return b"data: " + orjson.dumps(event) + b"\n\n"


async def _chat(request: web.Request) -> web.StreamResponse:
    raw = await request.read()
    prompt = max(1, len(raw) // 4)
    resp = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
    await resp.prepare(request)
    await resp.write(_event({"role": "assistant", "content": ""}))
    for word in ("Reading ", "the ", "next ", "file ", "now."):
        await resp.write(_event({"content": word}))
    call = {"index": 0, "id": f"call_{random.getrandbits(40):x}", "type": "function"}
    call["function"] = {"name": "read_file", "arguments": "{}"}
    await resp.write(_event({"tool_calls": [call]}, "tool_calls"))
    await resp.write(
        _event({}, usage={"prompt_tokens": prompt, "completion_tokens": 12, "total_tokens": prompt + 12})
    )
    await resp.write(b"data: [DONE]\n\n")
    await resp.write_eof()
    return resp


def serve_upstream(port: int) -> None:
    app = web.Application(client_max_size=64 * 1024 * 1024)
    app.router.add_post("/v1/chat/completions", _chat)
    app.router.add_get("/health", lambda _r: _ok())
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None)


async def _ok() -> web.Response:
    return web.Response(text="ok")
