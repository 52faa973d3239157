"""The request as it leaves for the upstream: its headers, the upstream's key, its URL."""

from __future__ import annotations

from proxy.appkeys import UPSTREAMS
from proxy.server.exchange import Exchange
from proxy.server.headers import request_headers

_DECODED = frozenset({"gzip", "deflate", "br", "zstd"})  # request encodings aiohttp decodes on read


def without_key_param(raw_query: str) -> str:
    return "&".join(p for p in raw_query.split("&") if p and not p.startswith("key="))


def address(ex: Exchange) -> None:
    """Set ``ex.headers`` and ``ex.url`` for ``ex.route``'s upstream (a ProxyError when the
    path would leave it). A chat request asks for an uncompressed answer, so the usage tap can
    read it."""
    request, route = ex.request, ex.route
    upstream = route.upstream
    headers = ex.headers = request_headers(request.headers)
    if request.headers.get("Content-Encoding", "").lower() in _DECODED:  # aiohttp decoded the body
        # (``Request.message.compression`` said so too, but it is deprecated): forward plain bytes
        headers.popall("Content-Encoding", None)
    for name, value in upstream.settings.headers.items():
        headers.setdefault(name, value)
    query = request.rel_url.raw_query_string
    query_key = request.rel_url.query.get("key") if query else None
    if request.app[UPSTREAMS].inject_key(upstream, headers, query_key):
        query = without_key_param(query)  # a placeholder ``?key=`` must not override the real key
    ex.url = upstream.target(route.raw_tail, query)
    if route.chat_api is not None:
        headers["Accept-Encoding"] = "identity"  # so usage can be read from the response
