"""The physical floor for the proxy benchmark: the least an aiohttp reverse proxy can do.

``python tests/bench/_floor_proxy.py PORT UPSTREAM_BASE`` serves, on 127.0.0.1:PORT,
``* /{tail}`` → ``UPSTREAM_BASE/{tail}`` and ``GET /health``. Per request it reads the body,
forwards it with one shared ``ClientSession`` (same pool, timeouts and ``auto_decompress=False``
as ctxproxy's) and streams the response back chunk by chunk. Nothing is parsed, logged,
counted or routed beyond string concatenation; headers are copied minus the hop-by-hop ones.

It uses the same transport choices ctxproxy makes, so that ctxproxy ÷ floor measures the
proxy's own work rather than a difference of tricks: uvloop when installed, the upstream's
``Content-Length`` passed through, and for non-SSE responses the status line and headers sent
in the same write as the first body chunk. Deliberately independent of ``proxy/``.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Mapping

import aiohttp
from aiohttp import web
from multidict import CIMultiDict

_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
    }
)
_REQUEST_DROP = _HOP | {"host", "content-length"}
_RESPONSE_DROP = _HOP | {"content-length", "date", "server"}

SESSION = web.AppKey("session", aiohttp.ClientSession)
UPSTREAM = web.AppKey("upstream", str)


class _HeadersWithFirstChunk(web.StreamResponse):
    _send_headers_immediately = False


def _copy(headers: Mapping[str, str], drop: frozenset[str]) -> CIMultiDict[str]:
    out: CIMultiDict[str] = CIMultiDict()
    for name, value in headers.items():
        if name.lower() not in drop:
            out.add(name, value)
    return out


async def forward(request: web.Request) -> web.StreamResponse:
    body = await request.read()
    url = request.app[UPSTREAM] + "/" + request.match_info["tail"]
    if request.query_string:
        url += "?" + request.query_string
    async with request.app[SESSION].request(
        request.method,
        url,
        headers=_copy(request.headers, _REQUEST_DROP),
        data=body or None,
        allow_redirects=False,
        skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding", "Content-Type"),
    ) as resp:
        sse = resp.headers.get("Content-Type", "").startswith("text/event-stream")
        kind = web.StreamResponse if sse else _HeadersWithFirstChunk
        out = kind(status=resp.status, reason=resp.reason, headers=_copy(resp.headers, _RESPONSE_DROP))
        if resp.content_length is not None and "chunked" not in resp.headers.get("Transfer-Encoding", ""):
            out.content_length = resp.content_length
        await out.prepare(request)
        async for chunk in resp.content.iter_any():
            await out.write(chunk)
        await out.write_eof()
        return out


async def health(request: web.Request) -> web.Response:
    return web.Response(text="ok")


async def _session_ctx(app: web.Application) -> AsyncIterator[None]:
    connector = aiohttp.TCPConnector(limit=1024, limit_per_host=0, ttl_dns_cache=300, keepalive_timeout=30)
    timeout = aiohttp.ClientTimeout(total=None, connect=10, sock_connect=10, sock_read=600)
    app[SESSION] = aiohttp.ClientSession(
        connector=connector,
        timeout=timeout,
        auto_decompress=False,
        cookie_jar=aiohttp.DummyCookieJar(),
        read_bufsize=2**17,
    )
    yield
    await app[SESSION].close()


def make_app(upstream: str) -> web.Application:
    app = web.Application(client_max_size=64 * 1024 * 1024)
    app[UPSTREAM] = upstream.rstrip("/")
    app.cleanup_ctx.append(_session_ctx)
    app.router.add_get("/health", health)
    app.router.add_route("*", "/{tail:.*}", forward)
    return app


def main() -> None:
    port, upstream = int(sys.argv[1]), sys.argv[2]
    try:
        import uvloop
    except ImportError:
        web.run_app(make_app(upstream), host="127.0.0.1", port=port, access_log=None, print=None)
        return
    web.run_app(
        make_app(upstream),
        host="127.0.0.1",
        port=port,
        access_log=None,
        print=None,
        loop=uvloop.new_event_loop(),
    )


if __name__ == "__main__":
    main()
