"""Errors the proxy itself raises, in the caller's API error shape. Never a stack trace."""

from __future__ import annotations

from typing import Literal

import orjson
from aiohttp import web

ApiShape = Literal["openai", "anthropic", "gemini"]

_OPENAI_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    405: "invalid_request_error",
    413: "invalid_request_error",
    429: "rate_limit_error",
    502: "api_error",
    503: "api_error",
    504: "api_error",
}
_ANTHROPIC_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    502: "api_error",
    503: "overloaded_error",
    504: "timeout_error",
}
_GEMINI_STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    413: "INVALID_ARGUMENT",
    502: "UNAVAILABLE",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}


class ProxyError(Exception):
    """Raised inside the request path; turned into an API-shaped response by the handler."""

    def __init__(self, status: int, message: str, code: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code


def error_body(shape: ApiShape, status: int, message: str, code: str, request_id: str | None) -> bytes:
    if shape == "anthropic":
        payload: dict[str, object] = {
            "type": "error",
            "error": {"type": _ANTHROPIC_TYPES.get(status, "api_error"), "message": message},
        }
        if request_id:
            payload["request_id"] = request_id
    elif shape == "gemini":
        payload = {
            "error": {"code": status, "message": message, "status": _GEMINI_STATUS.get(status, "INTERNAL")}
        }
    else:
        payload = {
            "error": {
                "message": message,
                "type": _OPENAI_TYPES.get(status, "api_error"),
                "param": None,
                "code": code,
            }
        }
    return orjson.dumps(payload)


def error_response(
    shape: ApiShape, status: int, message: str, code: str, request_id: str | None = None
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
