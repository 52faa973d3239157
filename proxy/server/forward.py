"""The catch-all proxy handler: route, authorize, (maybe) compress, forward, stream back."""

from __future__ import annotations

import asyncio
import os
import re
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import orjson
import structlog
from aiohttp import web
from multidict import CIMultiDict

from proxy.appkeys import HTTP, LIFECYCLE, METRICS, PIPELINE, SETTINGS, UPSTREAMS
from proxy.observability.logging import exc_where
from proxy.observability.metrics import Metrics, status_class
from proxy.server.errors import ProxyError, error_response
from proxy.server.headers import request_headers, response_headers
from proxy.server.identity import resolve_agent
from proxy.server.model_routes import route_by_model
from proxy.server.pipeline import ChatRequest, Prepared, ResponseTap
from proxy.server.routing import Route, guess_shape, resolve

log = structlog.get_logger("ctxproxy")

_MAX_ERROR_BODY = 4 * 1024 * 1024
_UNREAD_BODY = frozenset({"invalid_body", "body_too_large"})
_MAX_DEPTH = 254  # orjson's serialization limit
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:@/+=-]{1,128}$")
_DECODED = frozenset({"gzip", "deflate", "br", "zstd"})  # request encodings aiohttp decodes on read
_STARTED: web.RequestKey[bool] = web.RequestKey("ctxproxy_response_started", bool)


@dataclass(slots=True)
class _Outcome:
    status: int = 0
    bytes_out: int = 0
    ttfb_s: float | None = None
    upstream_s: float | None = None
    retried: bool = False


@dataclass(slots=True)
class _Exchange:
    """One client request and what became of it: shared by sending, the retry, streaming back,
    the usage tap and the log line."""

    request: web.Request
    route: Route
    request_id: str
    started: float  # perf_counter when the request arrived
    metrics: Metrics
    agent: str = ""
    bytes_in: int = 0
    url: Any = None  # the upstream URL
    headers: CIMultiDict[str] = field(default_factory=CIMultiDict)  # to the upstream
    send: bytes = b""  # the body sent upstream
    chat: ChatRequest | None = None  # None: not a chat request
    prepared: Prepared | None = None  # what the pipeline made of the chat request
    extra: dict[str, str] = field(default_factory=dict)  # x-ctxproxy-* headers to the client
    tap: ResponseTap | None = None
    overhead_ms: float | None = None
    outcome: _Outcome = field(default_factory=_Outcome)


def _request_id(request: web.Request) -> str:
    """The client's ``x-request-id`` when it is a plain token, else a new one (it is logged)."""
    given = request.headers.get("x-request-id")
    if given and _SAFE_REQUEST_ID.match(given):
        return given
    return os.urandom(16).hex()  # 32 random hex digits as uuid4().hex, no UUID object built


async def proxy_handler(request: web.Request) -> web.StreamResponse:
    started = time.perf_counter()
    app = request.app
    request_id = _request_id(request)
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(request_id=request_id)
    raw_path = request.rel_url.raw_path
    route: Route | None = None
    rejected: ProxyError | None = None
    try:
        route = resolve(app[UPSTREAMS], app[SETTINGS].default_upstream, request.method, raw_path)
    except ProxyError as exc:
        rejected = exc
    # Authenticate before revealing anything (an unknown upstream's 404 lists the names).
    if not app[UPSTREAMS].check_proxy_key(request.headers.get("x-ctxproxy-key")):
        app[METRICS].errors.labels(kind="proxy_key").inc()
        log.info("request.rejected", status=401, code="invalid_proxy_key", method=request.method)
        shape = route.error_shape if route else guess_shape(raw_path, "anthropic-version" in request.headers)
        return error_response(
            shape, 401, "missing or invalid x-ctxproxy-key", "invalid_proxy_key", request_id
        )
    if route is None:
        assert rejected is not None
        app[METRICS].errors.labels(kind=rejected.code).inc()
        log.info("request.rejected", status=rejected.status, code=rejected.code, method=request.method)
        shape = guess_shape(raw_path, "anthropic-version" in request.headers)
        return error_response(shape, rejected.status, rejected.message, rejected.code, request_id)
    life, metrics = app[LIFECYCLE], app[METRICS]
    life.enter()
    metrics.in_flight.inc()
    try:
        return await _proxy(request, route, request_id, started)
    except web.HTTPException:
        raise
    except Exception as exc:  # a bug: one log line, and an API-shaped 500 if nothing was sent yet
        log.error("request.crashed", error=type(exc).__name__, where=exc_where(exc), method=request.method)
        metrics.errors.labels(kind="internal").inc()
        if request.get(_STARTED):
            raise  # headers are out: aiohttp closes the connection (logged as one line too)
        return error_response(
            route.error_shape, 500, "internal proxy error (logged)", "internal_error", request_id
        )
    finally:
        metrics.in_flight.dec()
        life.leave()


async def _read_body(request: web.Request) -> bytes:
    try:
        return await request.read()
    except web.HTTPRequestEntityTooLarge:
        limit = request.app[SETTINGS].server.max_body_mb
        raise ProxyError(
            413, f"request body exceeds server.max_body_mb ({limit:g} MB)", "body_too_large"
        ) from None
    except web.RequestPayloadError:  # e.g. Content-Encoding: gzip on bytes that are not gzip
        raise ProxyError(400, "request body could not be read or decoded", "invalid_body") from None


def _parse_chat(raw: bytes) -> dict[str, Any]:
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ProxyError(400, f"request body is not valid JSON: {exc.msg}", "invalid_json") from None
    if not isinstance(body, dict):
        raise ProxyError(400, "request body must be a JSON object", "invalid_json")
    if len(raw) > 2 * _MAX_DEPTH:  # a shorter body cannot nest deeper than that
        # orjson writes at most 254 levels: a deeper body could never be re-serialized. Writing
        # it is the check (≈40 µs for 400 KB, where counting its brackets first took ≈260 µs).
        try:
            orjson.dumps(body)
        except orjson.JSONEncodeError:
            raise ProxyError(
                400, f"request body is nested deeper than {_MAX_DEPTH} levels", "invalid_json"
            ) from None
    return body


def _without_key_param(raw_query: str) -> str:
    return "&".join(p for p in raw_query.split("&") if p and not p.startswith("key="))


class _HeadersWithFirstChunk(web.StreamResponse):
    """Non-SSE responses: the status line and headers leave in the same write as the first
    body chunk (one syscall less per response). SSE keeps aiohttp's default, headers at once,
    so a client sees the stream open before the first event."""

    _send_headers_immediately = False


async def _proxy(request: web.Request, route: Route, request_id: str, started: float) -> web.StreamResponse:
    app = request.app
    metrics = app[METRICS]
    upstream = route.upstream
    shape = route.error_shape
    ex = _Exchange(request, route, request_id, started, metrics, agent=route.path_agent or "")
    try:
        raw = await _read_body(request)
        ex.bytes_in = len(raw)
        parsed: dict[str, Any] | None = None
        settings = app[SETTINGS]
        if route.bare_v1_tail is not None and route.chat_api is not None and settings.model_prefix_routing:
            parsed = _parse_chat(raw)
            route, raw, parsed = route_by_model(app[UPSTREAMS], settings.model_prefixes, route, raw, parsed)
            upstream, shape = route.upstream, route.error_shape
            ex.route = route
        headers = ex.headers = request_headers(request.headers)
        if request.headers.get("Content-Encoding", "").lower() in _DECODED:  # aiohttp decoded the body
            # (``Request.message.compression`` said so too, but it is deprecated): forward plain bytes
            headers.popall("Content-Encoding", None)
        for name, value in upstream.settings.headers.items():
            headers.setdefault(name, value)
        query = request.rel_url.raw_query_string
        if app[UPSTREAMS].inject_key(upstream, headers, request.rel_url.query.get("key")):
            query = _without_key_param(query)  # a placeholder ``?key=`` must not override the real key
        ex.url = upstream.target(route.raw_tail, query)
        if route.chat_api is not None:
            body = parsed if parsed is not None else _parse_chat(raw)
            agent, agent_source = resolve_agent(route.path_agent, request.headers, route.chat_api, body)
            ex.agent = agent
            structlog.contextvars.bind_contextvars(agent=agent)
            headers["Accept-Encoding"] = "identity"  # so usage can be read from the response
            chat = ex.chat = ChatRequest(
                route, route.chat_api, request_id, raw, body, agent, agent_source, headers
            )
            ex.prepared = await app[PIPELINE].prepare(chat)
            ex.send = ex.prepared.body
        else:
            ex.agent, _ = resolve_agent(route.path_agent, request.headers, None, None)
            ex.send = raw
    except ProxyError as exc:
        metrics.errors.labels(kind=exc.code).inc()
        _log_done(ex, exc.status, exc.code)
        response = error_response(shape, exc.status, exc.message, exc.code, request_id)
        if exc.code in _UNREAD_BODY:  # the rest of the body cannot be read: this connection ends
            response.force_close()
        return response

    overhead_ms = ex.overhead_ms = (time.perf_counter() - started) * 1000.0
    metrics.overhead.labels(route=route.family).observe(overhead_ms / 1000.0)
    metrics.bytes_in.labels(upstream=upstream.name).inc(ex.bytes_in)
    ex.extra = {"x-request-id": request_id, "x-ctxproxy-overhead-ms": f"{overhead_ms:.3f}"}
    if ex.prepared is not None:
        ex.extra.update(ex.prepared.headers)
    outcome = ex.outcome
    try:
        return await _exchange(ex)
    except ProxyError as exc:
        metrics.errors.labels(kind=exc.code).inc()
        outcome.status = exc.status
        return error_response(shape, exc.status, exc.message, exc.code, request_id)
    finally:
        status = outcome.status or 499
        metrics.requests.labels(upstream=upstream.name, route=route.family, status=status_class(status)).inc()
        metrics.bytes_out.labels(upstream=upstream.name).inc(outcome.bytes_out)
        _log_done(ex, status, None)


async def _send(
    request: web.Request, url: Any, headers: CIMultiDict[str], body: bytes
) -> aiohttp.ClientResponse:
    session = request.app[HTTP]
    try:
        return await session.request(
            request.method,
            url,
            headers=headers,
            data=body if body else None,
            allow_redirects=False,
            skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding", "Content-Type"),
        )
    except (aiohttp.ServerTimeoutError, TimeoutError):
        raise ProxyError(504, "upstream timed out", "upstream_timeout") from None
    except aiohttp.ClientConnectorError as exc:
        raise ProxyError(
            502, f"upstream unreachable: {exc.host}:{exc.port}", "upstream_unreachable"
        ) from None
    except aiohttp.ClientError as exc:
        raise ProxyError(502, f"upstream connection failed: {type(exc).__name__}", "upstream_error") from None


async def _exchange(ex: _Exchange) -> web.StreamResponse:
    request, route, outcome = ex.request, ex.route, ex.outcome
    pipeline = request.app[PIPELINE]
    t_send = time.perf_counter()
    resp = await _send(request, ex.url, ex.headers, ex.send)
    try:
        buffered: bytes | None = None
        chat, prepared = ex.chat, ex.prepared
        if chat is not None and prepared is not None and resp.status >= 400 and resp.status != 429:
            buffered = await _read_error(resp)
            again = await pipeline.retry(chat, prepared, resp.status, buffered)
            if again is not None and again.body != prepared.body:
                resp.close()
                outcome.retried = True
                ex.prepared = prepared = again
                ex.send = again.body
                ex.extra.update(again.headers)
                resp = await _send(request, ex.url, ex.headers, again.body)
                buffered = None
        outcome.upstream_s = time.perf_counter() - t_send
        ex.metrics.upstream_latency.labels(upstream=route.upstream.name, route=route.family).observe(
            outcome.upstream_s
        )
        outcome.status = resp.status
        ex.tap = pipeline.tap(chat, prepared, resp.status) if chat is not None and prepared else None
        return await _stream_back(ex, resp, buffered)
    finally:
        if resp.content.is_eof():
            resp.release()  # fully read: the connection goes back to the pool
        else:
            resp.close()  # client gone or stream broken: close the upstream request


async def _read_error(resp: aiohttp.ClientResponse) -> bytes:
    try:
        return await resp.content.read(_MAX_ERROR_BODY)
    except (aiohttp.ClientError, TimeoutError):
        raise ProxyError(502, "upstream error response could not be read", "upstream_error") from None


async def _stream_back(
    ex: _Exchange, resp: aiohttp.ClientResponse, buffered: bytes | None
) -> web.StreamResponse:
    request, route, metrics, tap, outcome = ex.request, ex.route, ex.metrics, ex.tap, ex.outcome
    streaming = resp.headers.get("Content-Type", "").startswith("text/event-stream")
    kind = web.StreamResponse if streaming else _HeadersWithFirstChunk
    out = kind(status=resp.status, reason=resp.reason, headers=response_headers(resp.headers))
    out.headers.update(ex.extra)
    if buffered is not None:
        out.content_length = len(buffered)
    elif resp.content_length is not None and "chunked" not in resp.headers.get("Transfer-Encoding", ""):
        out.content_length = resp.content_length
    if streaming:
        metrics.in_flight_streams.inc()
    try:
        request[_STARTED] = True
        await out.prepare(request)
        if buffered is not None:
            await _write(ex, out, buffered)
        else:
            # Our own idle deadline besides the session's sock_read: aiohttp's C parser can wait
            # forever when an upstream breaks the chunked framing and closes (aiohttp 3.14).
            idle = request.app[SETTINGS].server.read_timeout_s
            loop = asyncio.get_running_loop()
            async with asyncio.timeout(idle) as deadline:
                async for chunk in resp.content.iter_any():
                    await _write(ex, out, chunk)
                    deadline.reschedule(loop.time() + idle)
        if tap is not None:
            tap.finish(resp.status)
        await out.write_eof()
    except (ConnectionResetError, aiohttp.ClientConnectionResetError):
        log.info("client.disconnected", upstream=route.upstream.name)
        outcome.status = outcome.status or 499
    except (
        aiohttp.ClientPayloadError,
        aiohttp.ServerDisconnectedError,
        aiohttp.ClientOSError,
        TimeoutError,
    ) as exc:
        # Headers are already sent: the only honest signal left is a truncated response.
        log.warning("upstream.stream_broken", upstream=route.upstream.name, error=type(exc).__name__)
        metrics.errors.labels(kind="stream_broken").inc()
        if request.transport is not None:
            request.transport.close()
    finally:
        if streaming:
            metrics.in_flight_streams.dec()
    return out


async def _write(ex: _Exchange, out: web.StreamResponse, chunk: bytes) -> None:
    outcome = ex.outcome
    if outcome.ttfb_s is None:
        outcome.ttfb_s = time.perf_counter() - ex.started
        ex.metrics.ttfb.labels(upstream=ex.route.upstream.name, route=ex.route.family).observe(outcome.ttfb_s)
    if ex.tap is not None:
        ex.tap.feed(chunk)
    outcome.bytes_out += len(chunk)
    await out.write(chunk)


def _log_done(ex: _Exchange, status: int, error: str | None) -> None:
    outcome, prepared = ex.outcome, ex.prepared
    fields: dict[str, Any] = {
        "method": ex.request.method,
        "upstream": ex.route.upstream.name,
        "route": ex.route.family,
        "status": status,
        "agent": ex.agent or None,
        "duration_ms": round((time.perf_counter() - ex.started) * 1000.0, 3),
        "bytes_in": ex.bytes_in,
        "bytes_out": outcome.bytes_out,
    }
    if ex.overhead_ms is not None:
        fields["overhead_ms"] = round(ex.overhead_ms, 3)
    if outcome.upstream_s is not None:
        fields["upstream_ms"] = round(outcome.upstream_s * 1000.0, 3)
    if outcome.ttfb_s is not None:
        fields["ttfb_ms"] = round(outcome.ttfb_s * 1000.0, 3)
    if outcome.retried:
        fields["retried"] = True
    if prepared is not None:
        for key in ("x-ctxproxy-compressed", "x-ctxproxy-tokens-before", "x-ctxproxy-tokens-after"):
            if key in prepared.headers:
                fields[key[len("x-ctxproxy-") :].replace("-", "_")] = prepared.headers[key]
    if error:
        fields["error"] = error
    log.info("request.completed", **fields)
