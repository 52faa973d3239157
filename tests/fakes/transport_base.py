"""What every route of the recording fake upstream shares: the requests it saw, and the
helpers that record a request and write JSON or SSE the way the real APIs do."""

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


def sse(obj: Any, event: str | None = None) -> bytes:
    head = f"event: {event}\n".encode() if event else b""
    return head + b"data: " + orjson.dumps(obj) + b"\n\n"


async def record(request: web.Request) -> bytes:
    body = await request.read()
    request.app[STATE].seen.append(
        Seen(
            request.method, request.path, request.rel_url.raw_query_string, CIMultiDict(request.headers), body
        )
    )
    return body


async def stream(request: web.Request, chunks: list[bytes], delay: float = 0.0) -> web.StreamResponse:
    resp = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
    await resp.prepare(request)
    for chunk in chunks:
        await resp.write(chunk)
        if delay:
            await asyncio.sleep(delay)
    await resp.write_eof()
    return resp


def usage(prompt: int = 12, completion: int = 3) -> dict[str, int]:
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}
