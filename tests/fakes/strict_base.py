"""The machinery every strict fake upstream shares: routing, recording, window, scripting.

A subclass describes one provider API: its routes, how to read a request (validate it with
the provider's real 400 texts, turn it into a :class:`FakeRequest`), its overflow error, and
how to render a :class:`Reply` as JSON or SSE. Start one with ``async with Fake(...) as fake``
(an ``aiohttp.web.AppRunner`` on 127.0.0.1, port 0) and point a client at ``fake.base_url``.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self

import orjson
from aiohttp import web

from tests.fakes.strict_scripts import Fail, FakeRequest, Reply, Script, massgen
from tests.fakes.strict_tokens import Counter, json_tokens


class ProviderError(Exception):
    """A request the real provider refuses: rendered in the provider's error shape."""

    def __init__(self, status: int, message: str, **fields: Any) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.fields = fields


@dataclass
class Recorded:
    """One request the fake received, and what it did with it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    raw: bytes
    body: Any
    status: int = 0
    outcome: str = ""  # "ok" | "invalid" | "overflow" | "scripted"
    error: str = ""
    input_tokens: int = 0
    stream: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


class StrictFake:
    """Base of the per-API fakes. ``window``: context window in tokens (see strict_tokens)."""

    api: ClassVar[str] = ""
    conversation_keys: ClassVar[tuple[str, ...]] = ()

    def __init__(
        self,
        window: int | Mapping[str, int] = 128_000,
        *,
        script: Script | None = None,
        count: Counter = json_tokens,
        max_body_bytes: int | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.window = window
        self.script: Script = script or massgen()
        self.count = count
        self.max_body_bytes = max_body_bytes
        self.requests: list[Recorded] = []
        self._ids = itertools.count(1)
        self._host = host
        self._port = port
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- lifecycle ---------------------------------------------------------------------------

    def make_app(self) -> web.Application:
        app = web.Application(client_max_size=1024**3)
        self.add_routes(app)
        return app

    def add_routes(self, app: web.Application) -> None:
        raise NotImplementedError

    async def start(self) -> str:
        self._runner = web.AppRunner(self.make_app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        return self.base_url

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def origin(self) -> str:
        return f"http://{self._host}:{self.port}"

    @property
    def base_url(self) -> str:
        """What an SDK's ``base_url`` (or a proxy upstream's) should be for this API."""
        return self.origin

    # -- assertions helpers --------------------------------------------------------------------

    @property
    def invalid(self) -> list[Recorded]:
        return [r for r in self.requests if r.outcome == "invalid"]

    @property
    def overflows(self) -> list[Recorded]:
        return [r for r in self.requests if r.outcome == "overflow"]

    @property
    def ok(self) -> list[Recorded]:
        return [r for r in self.requests if r.outcome == "ok"]

    def window_for(self, model: str) -> int:
        if isinstance(self.window, Mapping):
            return int(self.window.get(model, self.window.get("*", 128_000)))
        return self.window

    def next_id(self) -> int:
        return next(self._ids)

    # -- the request cycle ----------------------------------------------------------------------

    async def handle(
        self, request: web.Request, model: str | None = None, stream: bool | None = None
    ) -> web.StreamResponse:
        raw = await request.read()
        rec = Recorded(
            method=request.method,
            path=request.path,
            query=dict(request.query),
            headers=dict(request.headers),
            raw=raw,
            body=None,
        )
        self.requests.append(rec)
        try:
            if self.max_body_bytes is not None and len(raw) > self.max_body_bytes:
                raise self.too_large_error(len(raw))
            try:
                body = orjson.loads(raw) if raw else None
            except orjson.JSONDecodeError:
                raise self.parse_error() from None
            rec.body = body
            if not isinstance(body, dict):
                raise self.parse_error()
            parsed = self.parse(body, request, model)
            rec.input_tokens = parsed.input_tokens
            rec.stream = self.is_stream(body, request) if stream is None else stream
            self.check_window(parsed, body, rec)
        except ProviderError as exc:
            rec.status, rec.error = exc.status, exc.message
            if rec.outcome == "":
                rec.outcome = "invalid"
            return self.error_response(exc)
        outcome = self.script(parsed)
        if isinstance(outcome, Fail):
            rec.status, rec.outcome = outcome.status, "scripted"
            return web.Response(
                status=outcome.status, body=orjson.dumps(outcome.body), content_type="application/json"
            )
        rec.status, rec.outcome = 200, "ok"
        if rec.stream:
            return await self.stream_reply(request, parsed, outcome, rec)
        return web.Response(
            body=orjson.dumps(self.json_reply(parsed, outcome, rec)), content_type="application/json"
        )

    def check_window(self, parsed: FakeRequest, body: Mapping[str, Any], rec: Recorded) -> None:
        limit = self.window_for(parsed.model)
        completion = self.requested_output(body)
        if parsed.input_tokens > limit or (completion and parsed.input_tokens + completion > limit):
            rec.outcome = "overflow"
            raise self.overflow_error(parsed.input_tokens, completion, limit)

    def count_conversation(self, body: Mapping[str, Any]) -> int:
        return self.count({k: body[k] for k in self.conversation_keys if k in body})

    async def sse(
        self, request: web.Request, events: AsyncIterator[bytes] | list[bytes]
    ) -> web.StreamResponse:
        response = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
        )
        await response.prepare(request)
        if isinstance(events, list):
            for chunk in events:
                await response.write(chunk)
        else:
            async for chunk in events:
                await response.write(chunk)
        await response.write_eof()
        return response

    # -- per API ---------------------------------------------------------------------------------

    def parse(self, body: dict[str, Any], request: web.Request, model: str | None) -> FakeRequest:
        raise NotImplementedError

    def is_stream(self, body: Mapping[str, Any], request: web.Request) -> bool:
        return bool(body.get("stream"))

    def requested_output(self, body: Mapping[str, Any]) -> int:
        return 0

    def overflow_error(self, tokens: int, completion: int, limit: int) -> ProviderError:
        raise NotImplementedError

    def too_large_error(self, size: int) -> ProviderError:
        return ProviderError(413, f"Request body of {size} bytes is too large.", type="request_too_large")

    def parse_error(self) -> ProviderError:
        return ProviderError(400, "We could not parse the JSON body of your request.")

    def error_response(self, exc: ProviderError) -> web.Response:
        raise NotImplementedError

    def json_reply(self, parsed: FakeRequest, reply: Reply, rec: Recorded) -> dict[str, Any]:
        raise NotImplementedError

    async def stream_reply(
        self, request: web.Request, parsed: FakeRequest, reply: Reply, rec: Recorded
    ) -> web.StreamResponse:
        raise NotImplementedError


def output_tokens(reply: Reply) -> int:
    size = (
        len(reply.text)
        + len(reply.thinking)
        + sum(len(orjson.dumps(dict(c.arguments))) for c in reply.tool_calls)
    )
    return max(1, -(-size // 4))


def chunks(text: str, size: int = 16) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]
