"""How a browser presents the proxy key (``server.proxy_keys``) to the status page.

Accepted, in order: the ``x-ctxproxy-key`` header (scripts, curl), the ``ctxproxy_key`` cookie
set by the login form (``POST /status/login``) or by opening ``/?key=…`` once, and HTTP Basic
auth with the key as the password (any user name). The cookie is HttpOnly, SameSite=Strict,
path ``/``, Secure when the request came over HTTPS, and lasts the browser session.
"""

from __future__ import annotations

import base64
import binascii

from aiohttp import web

from proxy.appkeys import UPSTREAMS

COOKIE = "ctxproxy_key"


def basic_password(header: str | None) -> str | None:
    if not header or not header[:6].lower() == "basic ":
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return decoded.partition(":")[2] or None


def presented(request: web.Request) -> list[str]:
    out = [
        request.headers.get("x-ctxproxy-key"),
        request.cookies.get(COOKIE),
        basic_password(request.headers.get("Authorization")),
    ]
    return [k for k in out if k]


def allowed(request: web.Request) -> bool:
    registry = request.app[UPSTREAMS]
    if not registry.requires_proxy_key:
        return True
    return any(registry.check_proxy_key(k) for k in presented(request))


def valid_key(request: web.Request, key: str) -> bool:
    return bool(key) and request.app[UPSTREAMS].check_proxy_key(key)


def set_cookie(response: web.StreamResponse, request: web.Request, key: str) -> None:
    response.set_cookie(
        COOKIE, key, httponly=True, samesite="Strict", path="/", secure=request.secure or None
    )
