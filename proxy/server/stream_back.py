"""The upstream's response streamed back to the client, through the usage tap, with an idle
deadline; counted into the exchange's outcome."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import structlog
from aiohttp import web

from proxy.appkeys import SETTINGS
from proxy.server.exchange import Exchange
from proxy.server.headers import response_headers

log = structlog.get_logger("ctxproxy")

# True once the response's status line may have left: an error can no longer be answered.
RESPONSE_STARTED: web.RequestKey[bool] = web.RequestKey("ctxproxy_response_started", bool)


class _HeadersWithFirstChunk(web.StreamResponse):
    """Non-SSE responses: the status line and headers leave in the same write as the first
    body chunk (one syscall less per response). SSE keeps aiohttp's default, headers at once,
    so a client sees the stream open before the first event."""

    _send_headers_immediately = False


async def stream_back(
    ex: Exchange, resp: aiohttp.ClientResponse, buffered: bytes | None
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
    ended = False  # the upstream's answer was read to its end
    try:
        request[RESPONSE_STARTED] = True
        await out.prepare(request)
        if buffered is not None:
            await _write(ex, out, buffered)
        else:
            first = resp.content.read_nowait()  # what came with the headers: no deadline needed
            if first:
                await _write(ex, out, first)
            # Our own idle deadline besides the session's sock_read: aiohttp's C parser can wait
            # forever when an upstream breaks the chunked framing and closes (aiohttp 3.14).
            idle = request.app[SETTINGS].server.read_timeout_s
            loop = asyncio.get_running_loop()
            async with asyncio.timeout(idle) as deadline:
                async for chunk in resp.content.iter_any():
                    await _write(ex, out, chunk)
                    deadline.reschedule(loop.time() + idle)
        ended = True
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
        _observe_timings(ex)  # a response without a body: not observed yet
    if ended and tap is not None:  # usage and calibration once the last byte went out
        tap.finish(resp.status)
    return out


async def _write(ex: Exchange, out: web.StreamResponse, chunk: bytes) -> None:
    outcome = ex.outcome
    first = outcome.ttfb_s is None
    if first:
        outcome.ttfb_s = time.perf_counter() - ex.started
    if ex.tap is not None:
        ex.tap.feed(chunk)
    outcome.bytes_out += len(chunk)
    await out.write(chunk)
    if first:
        _observe_timings(ex)


def _observe_timings(ex: Exchange) -> None:
    """The exchange's upstream latency and time to first byte into their histograms: once,
    after the first byte went out (off its critical path), or at the end without one."""
    outcome = ex.outcome
    if outcome.timed:
        return
    outcome.timed = True
    labels = {"upstream": ex.route.upstream.name, "route": ex.route.label}
    if outcome.upstream_s is not None:
        ex.metrics.upstream_latency.labels(**labels).observe(outcome.upstream_s)
    if outcome.ttfb_s is not None:
        ex.metrics.ttfb.labels(**labels).observe(outcome.ttfb_s)
