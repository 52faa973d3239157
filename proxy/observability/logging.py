"""structlog set-up: JSON (default) or console lines, bound per-request context.

Never log prompt text or API keys: request events carry sizes, ids and timings only.
"""

from __future__ import annotations

import datetime
import io
import logging
import sys
import time
from typing import Any, BinaryIO

import orjson
import structlog

from proxy.observability.stdlib import route_library_loggers
from proxy.observability.where import exc_where

__all__ = ["configure_logging", "exc_where"]

_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING, "error": logging.ERROR}


class UtcIsoStamper:
    """Adds ``timestamp`` as ``TimeStamper(fmt="iso", utc=True)`` writes it
    (``2026-11-30T12:00:01.250000Z``; no fraction on a whole second), formatting the date and
    time of day once per second instead of on every line (40 % of the instructions)."""

    __slots__ = ("_cache",)

    def __init__(self) -> None:
        self._cache: tuple[int, str] = (-1, "")

    def text(self, now_ns: int) -> str:
        second, micro = divmod(now_ns // 1000, 1_000_000)
        cache = self._cache
        if cache[0] != second:  # one tuple, swapped whole: threads never see half an update
            day = datetime.datetime.fromtimestamp(second, datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S")
            cache = self._cache = (second, day)
        return f"{cache[1]}.{micro:06d}Z" if micro else f"{cache[1]}Z"

    def __call__(self, logger: Any, name: str, event_dict: Any) -> Any:
        event_dict["timestamp"] = self.text(time.time_ns())
        return event_dict


def configure_logging(
    level: str = "info", fmt: str = "json", stream: BinaryIO | None = None, *, final: bool = False
) -> None:
    """JSON lines (orjson, written as bytes) or console lines, to ``stream`` (default stderr).

    ``final``: the process never configures again (``ctxproxy serve``, once per worker), so a
    logger keeps what it was built with on first use instead of being rebuilt for every
    line. Tests configure per test and leave it off."""
    renderer: structlog.types.Processor
    output: Any
    if fmt == "console":
        renderer = structlog.dev.ConsoleRenderer(colors=False)
        output = structlog.PrintLogger(
            file=io.TextIOWrapper(stream, write_through=True) if stream else sys.stderr
        )
    else:
        renderer = structlog.processors.JSONRenderer(serializer=orjson.dumps)
        output = structlog.BytesLogger(file=stream or sys.stderr.buffer)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            UtcIsoStamper(),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(_LEVELS.get(level, logging.INFO)),
        # Unless ``final``, loggers are not cached on first use (a later configure_logging must
        # reach them) and every line asks the factory: it hands out one shared, thread-safe
        # output instead of building a new one (file lookups, lock registry) per line.
        logger_factory=lambda *_: output,
        cache_logger_on_first_use=final,
    )
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(name)s %(levelname)s %(message)s")
    logging.getLogger("aiohttp.access").disabled = True
    route_library_loggers()
