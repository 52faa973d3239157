"""The catch-all proxy handler: route, authorize, (maybe) compress, forward, stream back.

Each step has its own module: the exchange object (exchange.py), the request id (request_id.py),
the body (request_body.py), the outgoing headers and URL (outgoing.py), the upstream call
(upstream_call.py), the response (stream_back.py) and the log line (access_log.py). This one
puts them in order, with the overflow retry between sending and streaming back.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import structlog
from aiohttp import web

from proxy.appkeys import CHAT_HOOKS, FINGERPRINTS, LIFECYCLE, METRICS, ROUTES, SETTINGS, UPSTREAMS
from proxy.observability.logging import exc_where
from proxy.observability.metrics import status_class
from proxy.server.access_log import log_done
from proxy.server.errors import ProxyError, error_response
from proxy.server.exchange import Exchange
from proxy.server.hooks import ChatRequest
from proxy.server.identity import named_agent, resolve_agent
from proxy.server.model_routes import route_by_model
from proxy.server.outgoing import address
from proxy.server.request_body import UNREAD_BODY, parse_chat, parse_later, read_body
from proxy.server.request_id import request_id_from
from proxy.server.routing import Route, guess_shape
from proxy.server.stream_back import RESPONSE_STARTED, stream_back
from proxy.server.upstream_call import read_error, send

log = structlog.get_logger("ctxproxy")


async def proxy_handler(request: web.Request) -> web.StreamResponse:
    started = time.perf_counter()
    app = request.app
    request_id = request_id_from(request.headers.get("x-request-id"))
    # The only context keys bound: this request's id, and its agent once known. aiohttp runs
    # each request in a task of its own (a copy of the connection's context); the agent is
    # unbound all the same (``...`` is structlog's "unbound"), in the same call: half the cost
    # of clear_contextvars() and a bind.
    structlog.contextvars.bind_contextvars(request_id=request_id, agent=...)
    raw_path = request.rel_url.raw_path
    route: Route | None = None
    rejected: ProxyError | None = None
    try:
        route = app[ROUTES].resolve(request.method, raw_path)
    except ProxyError as exc:
        rejected = exc
    # Authenticate before revealing anything (an unknown upstream's 404 lists the names).
    if not app[UPSTREAMS].check_proxy_key(request.headers.get("x-ctxproxy-key")):
        app[METRICS].errors.labels(kind="proxy_key").inc()
        app[METRICS].tap.done(None)
        log.info("request.rejected", status=401, code="invalid_proxy_key", method=request.method)
        shape = route.error_shape if route else guess_shape(raw_path, request.headers)
        return error_response(
            shape, 401, "missing or invalid x-ctxproxy-key", "invalid_proxy_key", request_id
        )
    if route is None:
        assert rejected is not None
        app[METRICS].errors.labels(kind=rejected.code).inc()
        app[METRICS].tap.done(None)
        log.info("request.rejected", status=rejected.status, code=rejected.code, method=request.method)
        shape = guess_shape(raw_path, request.headers)
        return error_response(shape, rejected.status, rejected.message, rejected.code, request_id)
    life, metrics = app[LIFECYCLE], app[METRICS]
    life.enter()
    metrics.in_flight.inc()
    try:
        return await _proxy(
            Exchange(request, route, request_id, started, metrics, agent=route.path_agent or "")
        )
    except web.HTTPException:
        raise
    except Exception as exc:  # a bug: one log line, and an API-shaped 500 if nothing was sent yet
        log.error("request.crashed", error=type(exc).__name__, where=exc_where(exc), method=request.method)
        metrics.errors.labels(kind="internal").inc()
        if request.get(RESPONSE_STARTED):
            raise  # headers are out: aiohttp closes the connection (logged as one line too)
        return error_response(
            route.error_shape, 500, "internal proxy error (logged)", "internal_error", request_id
        )
    finally:
        metrics.in_flight.dec()
        life.leave()


async def _proxy(ex: Exchange) -> web.StreamResponse:
    request, route, request_id, metrics = ex.request, ex.route, ex.request_id, ex.metrics
    app = request.app
    shape = route.error_shape
    try:
        raw = await read_body(request)
        ex.bytes_in = len(raw)
        parsed: dict[str, Any] | None = None
        settings = app[SETTINGS]
        if route.bare_v1_tail is not None and route.chat_api is not None and settings.model_prefix_routing:
            parsed = parse_chat(raw)
            route, raw, parsed = route_by_model(app[UPSTREAMS], settings.model_prefixes, route, raw, parsed)
            shape = route.error_shape
            ex.route = route
        address(ex)
        if route.chat_api is not None:
            hooks = app[CHAT_HOOKS]
            if parsed is None:  # the fast path from the bytes: parsed after the send
                named = named_agent(route.path_agent, request.headers)
                if named is not None:
                    ex.agent = named[0]
                    structlog.contextvars.bind_contextvars(agent=ex.agent)
                agent, agent_source = named or ("", "pending")
                late = parse_later(app[FINGERPRINTS])
                chat = ex.chat = ChatRequest(
                    route, route.chat_api, request_id, raw, {}, agent, agent_source, ex.headers, late
                )
                ex.prepared = hooks.early(chat)
            if ex.prepared is None:
                # The depth check waits for the chat hooks: a body sent as it came needs none.
                body = parsed if parsed is not None else parse_chat(raw, depth=False)
                agent, agent_source = resolve_agent(
                    route.path_agent, request.headers, route.chat_api, body, app[FINGERPRINTS]
                )
                ex.agent = agent
                structlog.contextvars.bind_contextvars(agent=agent)
                chat = ex.chat = ChatRequest(
                    route, route.chat_api, request_id, raw, body, agent, agent_source, ex.headers
                )
                ex.prepared = await hooks.prepare(chat)
            ex.send = ex.prepared.body
        else:
            ex.agent, _ = resolve_agent(route.path_agent, request.headers, None, None)
            ex.send = raw
    except ProxyError as exc:
        metrics.errors.labels(kind=exc.code).inc()
        log_done(ex, exc.status, exc.code)
        response = error_response(shape, exc.status, exc.message, exc.code, request_id)
        if exc.code in UNREAD_BODY:  # the rest of the body cannot be read: this connection ends
            response.force_close()
        return response

    upstream = route.upstream
    overhead_ms = ex.overhead_ms = (time.perf_counter() - ex.started) * 1000.0
    ex.extra = {"x-request-id": request_id, "x-ctxproxy-overhead-ms": f"{overhead_ms:.3f}"}
    if ex.prepared is not None:
        ex.extra.update(ex.prepared.headers)
    outcome = ex.outcome
    if ex.prepared is not None and ex.prepared.after_send:
        # Two hops: the first runs before the client session's body writer (a task it creates
        # while sending), the second after it, so the bookkeeping runs once the request left.
        loop = asyncio.get_running_loop()
        loop.call_soon(loop.call_soon, ex.prepared.flush)
    try:
        return await _exchange(ex)
    except ProxyError as exc:
        metrics.errors.labels(kind=exc.code).inc()
        outcome.status = exc.status
        return error_response(shape, exc.status, exc.message, exc.code, request_id)
    finally:  # counted once the answer went out (off its critical path)
        try:
            if ex.prepared is not None:
                ex.prepared.flush()  # (run already, unless the exchange ended before the send)
                if ex.prepared.settling is not None:  # the fast path's estimate, for the log line
                    await ex.prepared.settling.finish()
            if ex.chat is not None and ex.chat.agent != ex.agent:  # named by the body, parsed late
                ex.agent = ex.chat.agent
                structlog.contextvars.bind_contextvars(agent=ex.agent)
        finally:
            status = outcome.status or 499
            metrics.overhead.labels(route=route.label).observe(overhead_ms / 1000.0)
            metrics.bytes_in.labels(upstream=upstream.name).inc(ex.bytes_in)
            metrics.requests.labels(
                upstream=upstream.name, route=route.label, status=status_class(status)
            ).inc()
            metrics.bytes_out.labels(upstream=upstream.name).inc(outcome.bytes_out)
            log_done(ex, status, None)


async def _exchange(ex: Exchange) -> web.StreamResponse:
    """Send, retry once when the chat hooks rewrite the request after a context-overflow error,
    then stream the answer back."""
    request, outcome = ex.request, ex.outcome
    hooks = request.app[CHAT_HOOKS]
    t_send = time.perf_counter()
    resp = await send(ex)
    try:
        buffered: bytes | None = None
        chat, prepared = ex.chat, ex.prepared
        if chat is not None and prepared is not None and resp.status >= 400 and resp.status != 429:
            buffered = await read_error(resp)
            prepared.flush()
            again = await hooks.retry(chat, prepared, resp.status, buffered)
            if again is not None and again.body != prepared.body:
                resp.close()
                outcome.retried = True
                ex.prepared = prepared = again
                ex.send = again.body
                ex.extra.update(again.headers)
                resp = await send(ex)
                buffered = None
        outcome.upstream_s = time.perf_counter() - t_send  # observed after the first byte went out
        outcome.status = resp.status
        if prepared is not None and prepared.settling is not None and prepared.settling.done:
            ex.extra.update(prepared.headers)  # the fast path's estimate made it in time
        ex.tap = hooks.tap(chat, prepared, resp.status) if chat is not None and prepared else None
        return await stream_back(ex, resp, buffered)
    finally:
        if resp.content.is_eof():
            resp.release()  # fully read: the connection goes back to the pool
        else:
            resp.close()  # client gone or stream broken: close the upstream request
