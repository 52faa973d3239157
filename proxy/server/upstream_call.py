"""One call to the upstream, with connection failures mapped to API-shaped errors."""

from __future__ import annotations

import aiohttp

from proxy.appkeys import HTTP
from proxy.server.errors import ProxyError
from proxy.server.exchange import Exchange

MAX_ERROR_BODY = 4 * 1024 * 1024


async def send(ex: Exchange) -> aiohttp.ClientResponse:
    """Send ``ex.send`` to ``ex.url`` with ``ex.headers``; the response is the caller's to release."""
    request, url = ex.request, ex.url
    assert url is not None, "send() before address()"
    session = request.app[HTTP]
    try:
        return await session.request(
            request.method,
            url,
            headers=ex.headers,
            data=ex.send if ex.send else None,
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


async def read_error(resp: aiohttp.ClientResponse) -> bytes:
    """An error response's body (at most MAX_ERROR_BODY), for the overflow retry to read."""
    try:
        return await resp.content.read(MAX_ERROR_BODY)
    except (aiohttp.ClientError, TimeoutError):
        raise ProxyError(502, "upstream error response could not be read", "upstream_error") from None
