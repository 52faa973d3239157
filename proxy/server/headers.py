"""Header filtering for both directions of the proxy."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from multidict import CIMultiDict, CIMultiDictProxy

HOP_BY_HOP = frozenset(
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
# Never forwarded upstream: the client connection's own framing and our control headers.
_REQUEST_DROP = HOP_BY_HOP | {"host", "content-length", "x-ctxproxy-key", "x-ctxproxy-agent"}
# Set by aiohttp's server itself or recomputed.
_RESPONSE_DROP = HOP_BY_HOP | {"content-length", "date", "server"}


def _connection_tokens(headers: Mapping[str, str]) -> set[str]:
    value = headers.get("connection", "")
    return {t.strip().lower() for t in value.split(",") if t.strip()}


def request_headers(incoming: CIMultiDictProxy[str], drop: Iterable[str] = ()) -> CIMultiDict[str]:
    extra = _connection_tokens(incoming) | {d.lower() for d in drop}
    out: CIMultiDict[str] = CIMultiDict()
    for name, value in incoming.items():
        low = name.lower()
        if low in _REQUEST_DROP or low in extra:
            continue
        out.add(name, value)
    return out


def response_headers(incoming: CIMultiDictProxy[str]) -> CIMultiDict[str]:
    extra = _connection_tokens(incoming)
    out: CIMultiDict[str] = CIMultiDict()
    for name, value in incoming.items():
        low = name.lower()
        if low in _RESPONSE_DROP or low in extra:
            continue
        out.add(name, value)
    return out
