"""A minimal OpenAI-like upstream for the proxy benchmark, run as its own process.

``python tests/bench/_mock_upstream.py PORT`` serves, on 127.0.0.1:PORT:

* ``POST /v1/chat/completions`` — a fixed chat.completion JSON, or (request header
  ``x-bench-sse: 1``) a fixed short SSE stream written event by event;
* ``POST /v1/embeddings`` — the same fixed JSON (a non-chat route for the proxy);
* ``GET /health`` — readiness probe.

It reads every request body fully and never parses it: its cost is the same whether the
request came directly from the load generator or through the proxy.
"""

from __future__ import annotations

import asyncio
import sys

import orjson
from aiohttp import web

_COMPLETION = orjson.dumps(
    {
        "id": "chatcmpl-bench",
        "object": "chat.completion",
        "created": 1700000000,
        "model": "gpt-4.1",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "The answer is 42. " * 8},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 512, "completion_tokens": 48, "total_tokens": 560},
    }
)


def _chunk(delta: dict[str, str], finish: str | None = None) -> bytes:
    event = {
        "id": "chatcmpl-bench",
        "object": "chat.completion.chunk",
        "created": 1700000000,
        "model": "gpt-4.1",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return b"data: " + orjson.dumps(event) + b"\n\n"


_SSE_EVENTS = (
    [_chunk({"role": "assistant", "content": ""})]
    + [_chunk({"content": word}) for word in ("The ", "answer ", "is ", "42", ".")]
    + [_chunk({}, "stop"), b"data: [DONE]\n\n"]
)


async def chat(request: web.Request) -> web.StreamResponse:
    await request.read()
    if request.headers.get("x-bench-sse") != "1":
        return web.Response(body=_COMPLETION, content_type="application/json")
    resp = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
    await resp.prepare(request)
    for event in _SSE_EVENTS:
        await resp.write(event)
    await resp.write_eof()
    return resp


async def embeddings(request: web.Request) -> web.Response:
    await request.read()
    return web.Response(body=_COMPLETION, content_type="application/json")


async def health(request: web.Request) -> web.Response:
    return web.Response(text="ok")


def make_app() -> web.Application:
    app = web.Application(client_max_size=64 * 1024 * 1024)
    app.router.add_post("/v1/chat/completions", chat)
    app.router.add_post("/v1/embeddings", embeddings)
    app.router.add_get("/health", health)
    return app


def main() -> None:
    port = int(sys.argv[1])
    try:
        import uvloop
    except ImportError:
        loop_factory = None
    else:
        loop_factory = uvloop.new_event_loop
    web.run_app(
        make_app(),
        host="127.0.0.1",
        port=port,
        access_log=None,
        print=None,
        loop=loop_factory() if loop_factory else asyncio.new_event_loop(),
    )


if __name__ == "__main__":
    main()
