"""Errors the proxy itself raises, in the caller's API error shape. Never a stack trace."""

from __future__ import annotations

import orjson
from aiohttp import web

from proxy.wire.families import FamilyName, get_family


class ProxyError(Exception):
    """Raised inside the request path; turned into an API-shaped response by the handler."""

    def __init__(self, status: int, message: str, code: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code


def error_body(shape: FamilyName, status: int, message: str, code: str, request_id: str | None) -> bytes:
    return orjson.dumps(get_family(shape).error_payload(status, message, code, request_id))


def error_response(
    shape: FamilyName, status: int, message: str, code: str, request_id: str | None = None
) -> web.Response:
    headers = {"x-ctxproxy-error": code}
    if request_id:
        headers["x-request-id"] = request_id
    return web.Response(
        status=status,
        body=error_body(shape, status, message, code, request_id),
        content_type="application/json",
        headers=headers,
    )
