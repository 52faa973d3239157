"""The chat hooks between routing and forwarding.

A chat request (chat/completions, responses, messages, generateContent) meets three hooks:
``prepare`` may replace the body (compression) before it is sent, ``tap`` observes the response
(usage → calibration and stats) and, after an upstream error, ``retry`` may offer one new body.
``PassthroughHooks`` changes nothing; ``CompressionHooks`` implements the same API.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import structlog
from multidict import CIMultiDict

from proxy.compress.limits import Limits
from proxy.observability.where import exc_where
from proxy.server.outcome import CompressionOutcome
from proxy.server.routing import Route
from proxy.wire import ApiName

log = structlog.get_logger("ctxproxy.compression")


@dataclass
class ChatRequest:
    route: Route
    api: ApiName
    request_id: str
    raw: bytes
    body: dict[str, Any]
    agent: str
    agent_source: str
    headers: CIMultiDict[str]  # outgoing headers (already filtered, key injected)
    # The fast path from the bytes (:meth:`ChatHooks.early`) sends the body before it is parsed:
    # until :meth:`complete` runs, ``body`` is empty and ``agent`` is what the path or a
    # header named ("" if neither did; ``agent_source`` "pending").
    completer: Callable[[ChatRequest], None] | None = None

    def complete(self) -> None:
        """Parse the body and resolve the agent now, if they were left for after the send
        (once; never raises: a body that does not parse stays empty)."""
        fn, self.completer = self.completer, None
        if fn is not None:
            fn(self)


@dataclass
class Attempt:
    """One body sent upstream for a request, and what the proxy estimated for *that* body.

    The estimate and its factor travel with the request so that the provider's ``usage`` (or
    overflow error) calibrates against the right estimate, whatever other requests of the
    same model did to the shared correction meanwhile."""

    model: str
    limits: Limits
    target: float | None = None  # share of the input budget it was compressed toward (a retry shrinks it)
    tokens: int | None = None  # estimated input tokens of the body sent
    factor: float = 1.0  # the token factor ``tokens`` was scaled with

    def estimated(self, tokens: int, factor: float) -> None:
        self.tokens, self.factor = tokens, factor


class Settling(Protocol):
    """Work a request left for after its send (the fast path's check, estimate and stats)."""

    @property
    def done(self) -> bool:
        """True once it ran to the end."""
        ...

    async def finish(self) -> None:
        """Run it now if it has not started, else wait for it (the answer went out, or a retry
        needs it). Never raises."""
        ...


@dataclass
class Prepared:
    body: bytes  # what is sent upstream: ``raw`` itself when nothing changed
    outcome: CompressionOutcome = field(default_factory=CompressionOutcome)  # headers, log line
    attempt: Attempt | None = None  # handed back to tap()/retry(); None: nothing was estimated
    # The fast path: the estimate left for after the send (:class:`Settling`). When it finishes
    # it amends ``outcome`` (token headers, log fields) and ``attempt``; headers not ready when
    # the upstream answers are left out, never waited for.
    settling: Settling | None = None
    # Bookkeeping that need not delay the send (stats, the cost model's bill, the decision's
    # log line): the forwarder runs it once the request went upstream (:meth:`flush`).
    after_send: list[Callable[[], None]] = field(default_factory=list)

    def flush(self) -> None:
        """Run the :attr:`after_send` work, once (later calls find nothing). Never raises."""
        work, self.after_send = self.after_send, []
        for fn in work:
            try:
                fn()
            except Exception as exc:  # bookkeeping only: the request goes on
                log.error("bookkeeping.failed", error=type(exc).__name__, where=exc_where(exc))

    @property
    def headers(self) -> dict[str, str]:
        """The ``x-ctxproxy-*`` response headers, rendered from :attr:`outcome`."""
        return self.outcome.headers()


class ResponseTap(Protocol):
    def feed(self, chunk: bytes) -> None: ...

    def finish(self, status: int) -> None: ...


class ChatHooks(Protocol):
    def early(self, req: ChatRequest) -> Prepared | None:
        """The body as it came, when its bytes alone show it certainly under its trigger
        (``req.body`` not parsed yet: :meth:`ChatRequest.complete` does it after the send);
        None: parse it and call :meth:`prepare`."""
        ...

    async def prepare(self, req: ChatRequest) -> Prepared: ...

    async def retry(self, req: ChatRequest, prepared: Prepared, status: int, body: bytes) -> Prepared | None:
        """After an upstream error on ``prepared``: a new body to send once, or None."""
        ...

    def tap(self, req: ChatRequest, prepared: Prepared, status: int) -> ResponseTap | None: ...

    def encodings(self) -> list[str]:
        """The tokenizer encodings requests will need (loaded by :meth:`warm` before ready)."""
        ...

    async def warm(self, encodings: list[str]) -> None:
        """Load ``encodings`` off the event loop, so the first request costs what the tenth does."""
        ...

    async def close(self) -> None:
        """Finish writes still in flight, before the shared store closes."""
        ...


class PassthroughHooks:
    """Forwards every chat request byte-for-byte."""

    def early(self, req: ChatRequest) -> Prepared | None:
        return None  # (the agent id for the log line comes from the parsed body)

    async def prepare(self, req: ChatRequest) -> Prepared:
        return Prepared(body=req.raw)

    async def retry(self, req: ChatRequest, prepared: Prepared, status: int, body: bytes) -> Prepared | None:
        return None

    def tap(self, req: ChatRequest, prepared: Prepared, status: int) -> ResponseTap | None:
        return None

    def encodings(self) -> list[str]:
        return []

    async def warm(self, encodings: list[str]) -> None:
        return None

    async def close(self) -> None:
        return None
