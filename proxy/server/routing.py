"""Path → (agent, upstream, tail) and which chat API a request speaks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import structlog

from proxy.server.errors import ProxyError
from proxy.server.paths import collapse_version, normalize_tail
from proxy.server.upstreams import Upstream, UpstreamRegistry
from proxy.wire import CHAT_APIS, ApiName, api_for_path, api_for_tail
from proxy.wire.families import FamilyName, get_family, marked_family

log = structlog.get_logger("ctxproxy")


@dataclass(frozen=True)
class Route:
    upstream: Upstream
    raw_tail: str  # still percent-encoded, no leading slash
    path_agent: str | None
    chat_api: ApiName | None  # None: not a chat request, forwarded untouched
    bare_v1_tail: str | None = None  # bare ``/v1/{tail}``: the tail after ``v1/`` (model-prefix routing)

    @property
    def label(self) -> str:
        """The chat API's name, or "other": a bounded metric and log label."""
        return self.chat_api or "other"

    @property
    def error_shape(self) -> FamilyName:
        return error_shape_for(self.chat_api, self.upstream.api)


def chat_api_for(method: str, raw_tail: str) -> ApiName | None:
    return api_for_tail(raw_tail) if method == "POST" else None


def error_shape_for(chat_api: ApiName | None, upstream_api: str | None) -> FamilyName:
    if chat_api is not None:
        return CHAT_APIS[chat_api].family
    return get_family(upstream_api or "openai").name


def guess_shape(raw_path: str, headers: Mapping[str, str]) -> FamilyName:
    """Error shape for requests that matched no upstream: the family the client's SDK marks
    its requests with, else the chat API the path names, else OpenAI's."""
    marked = marked_family(headers)
    if marked is not None:
        return marked.name
    api = api_for_path(raw_path)
    return CHAT_APIS[api].family if api is not None else "openai"


def resolve(registry: UpstreamRegistry, default_upstream: str, method: str, raw_path: str) -> Route:
    """Route a raw (percent-encoded) request path.

    ``/agent/{id}/{upstream}/{tail}`` · ``/{upstream}/{tail}`` · ``/v1/{tail}`` (default upstream),
    the last two also under ``/agent/{id}/``. A version segment written twice (``/openai/v1/…``
    when the base URL ends in ``/v1``) is collapsed, and logged once per upstream at info.
    """
    parts = raw_path.lstrip("/").split("/", 1)
    agent: str | None = None
    if parts[0] == "agent":
        rest = parts[1] if len(parts) > 1 else ""
        agent_parts = rest.split("/", 1)
        if not agent_parts[0] or len(agent_parts) < 2:
            raise ProxyError(404, "expected /agent/{agent_id}/{upstream}/{path}", "unknown_route")
        agent = agent_parts[0]
        parts = agent_parts[1].split("/", 1)
    head = parts[0]
    tail = normalize_tail(parts[1]) if len(parts) > 1 else ""
    upstream = registry.get(head)
    bare_tail: str | None = None
    if upstream is None and head == "v1":
        upstream = registry.get(default_upstream)
        if upstream is not None:
            bare_tail = tail
            tail = upstream.bare_v1_tail(tail)
    if upstream is None:
        names = ", ".join(registry.names())
        raise ProxyError(
            404,
            f"unknown upstream {head!r}: use http://HOST:PORT/{{upstream}}/... with one of: {names}",
            "unknown_upstream",
        )
    tail, doubled = collapse_version(upstream.base.raw_path, tail)
    if doubled is not None and registry.first_time(f"doubled-version:{upstream.name}"):
        log.info(
            "route.version_collapsed",
            upstream=upstream.name,
            segment=doubled,
            hint=f"the base URL for {upstream.name} ends before /{doubled}: the proxy adds it",
        )
    return Route(upstream, tail, agent, chat_api_for(method, tail), bare_tail)


class Routes:
    """:func:`resolve` memoized per (method, raw path): clients repeat the same few paths, and
    a route depends on nothing else (the registry and the settings never change). A path that
    is refused raises each time; at most ``max_size`` routes are kept (all forgotten when full)."""

    def __init__(self, registry: UpstreamRegistry, default_upstream: str, max_size: int = 1024) -> None:
        self.registry = registry
        self.default_upstream = default_upstream
        self.max_size = max_size
        self._memo: dict[tuple[str, str], Route] = {}

    def resolve(self, method: str, raw_path: str) -> Route:
        key = (method, raw_path)
        route = self._memo.get(key)
        if route is None:
            route = resolve(self.registry, self.default_upstream, method, raw_path)
            if len(self._memo) >= self.max_size:
                self._memo.clear()
            self._memo[key] = route
        return route
