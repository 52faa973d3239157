"""One client request and what became of it, shared by every step of forwarding it."""

from __future__ import annotations

from dataclasses import dataclass, field

from aiohttp import web
from multidict import CIMultiDict
from yarl import URL

from proxy.observability.metrics import Metrics
from proxy.server.hooks import ChatRequest, Prepared, ResponseTap
from proxy.server.routing import Route


@dataclass(slots=True)
class Outcome:
    """What the upstream exchange came to: counted into metrics and the log line."""

    status: int = 0
    bytes_out: int = 0
    ttfb_s: float | None = None
    upstream_s: float | None = None
    retried: bool = False
    timed: bool = False  # upstream latency and TTFB observed (stream_back)


@dataclass(slots=True)
class Exchange:
    """One client request and what became of it: shared by sending, the retry, streaming back,
    the usage tap and the log line."""

    request: web.Request
    route: Route
    request_id: str
    started: float  # perf_counter when the request arrived
    metrics: Metrics
    agent: str = ""
    bytes_in: int = 0
    url: URL | None = None  # the upstream URL; None until the request has been addressed
    headers: CIMultiDict[str] = field(default_factory=CIMultiDict)  # to the upstream
    send: bytes = b""  # the body sent upstream
    chat: ChatRequest | None = None  # None: not a chat request
    prepared: Prepared | None = None  # what the chat hooks made of the chat request
    extra: dict[str, str] = field(default_factory=dict)  # x-ctxproxy-* headers to the client
    tap: ResponseTap | None = None
    overhead_ms: float | None = None
    outcome: Outcome = field(default_factory=Outcome)
