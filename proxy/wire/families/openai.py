"""OpenAI and every OpenAI-compatible provider: ``Authorization: Bearer``, OpenAI's error body."""

from __future__ import annotations

from proxy.wire.families.base import Family

_ERROR_TYPES = {
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

OPENAI = Family(
    "openai",
    "Authorization",
    "Bearer ",
    _ERROR_TYPES,
    speaks_openai_format=True,
)
