"""The client's request body: read it, and parse a chat request's JSON."""

from __future__ import annotations

from functools import partial
from typing import Any

import orjson
from aiohttp import web

from proxy.appkeys import SETTINGS
from proxy.server.errors import ProxyError
from proxy.server.hooks import ChatRequest
from proxy.server.identity import Fingerprints, resolve_agent

# Error codes after which the rest of the body cannot be read: the connection must end.
UNREAD_BODY = frozenset({"invalid_body", "body_too_large"})
MAX_DEPTH = 254  # orjson's serialization limit


async def read_body(request: web.Request) -> bytes:
    try:
        return await request.read()
    except web.HTTPRequestEntityTooLarge:
        limit = request.app[SETTINGS].server.max_body_mb
        raise ProxyError(
            413, f"request body exceeds server.max_body_mb ({limit:g} MB)", "body_too_large"
        ) from None
    except web.RequestPayloadError:  # e.g. Content-Encoding: gzip on bytes that are not gzip
        raise ProxyError(400, "request body could not be read or decoded", "invalid_body") from None


def parse_chat(raw: bytes, *, depth: bool = True) -> dict[str, Any]:
    """A chat body's JSON object (400 ``invalid_json`` otherwise). ``depth``: also refuse a body
    too deep to write back (:func:`check_depth`); without it the caller checks when it must."""
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ProxyError(400, f"request body is not valid JSON: {exc.msg}", "invalid_json") from None
    if not isinstance(body, dict):
        raise ProxyError(400, "request body must be a JSON object", "invalid_json")
    if depth:
        check_depth(raw, body)
    return body


def check_depth(raw: bytes, body: dict[str, Any]) -> None:
    """Refuse a body nested deeper than orjson writes (254 levels): one the proxy could never
    re-serialize after an edit. A body forwarded as sent needs no such check."""
    if len(raw) <= 2 * MAX_DEPTH:  # a shorter body cannot nest deeper than that
        return
    # Writing it is the check (≈40 µs for 400 KB, where counting its brackets took ≈260 µs and
    # walking its containers in Python costs as much as writing it on a tool-heavy history).
    ensure_writable(body)


def ensure_writable(value: Any) -> None:
    """400 ``invalid_json`` when orjson cannot write ``value`` (nested deeper than MAX_DEPTH)."""
    try:
        orjson.dumps(value)
    except orjson.JSONEncodeError:
        raise ProxyError(
            400, f"request body is nested deeper than {MAX_DEPTH} levels", "invalid_json"
        ) from None


def parse_later(fingerprints: Fingerprints) -> partial[None]:
    """:attr:`ChatRequest.completer` of a request sent before its body was parsed."""
    return partial(_complete, fingerprints)


def _complete(fingerprints: Fingerprints, req: ChatRequest) -> None:
    """Parse the body (left empty when it does not parse: the provider refuses it) and, when
    neither the path nor a header named one, resolve the agent from it."""
    try:
        body = orjson.loads(req.raw)
    except orjson.JSONDecodeError:
        body = None
    req.body = body if isinstance(body, dict) else {}
    if req.agent_source == "pending":
        req.agent, req.agent_source = resolve_agent(None, {}, req.api, req.body, fingerprints)
