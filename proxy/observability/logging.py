"""structlog set-up: JSON (default) or console lines, bound per-request context.

Never log prompt text or API keys: request events carry sizes, ids and timings only.
"""

from __future__ import annotations

import io
import logging
import sys
from typing import Any, BinaryIO

import orjson
import structlog

from proxy.observability.stdlib import route_library_loggers
from proxy.observability.where import exc_where

__all__ = ["configure_logging", "exc_where"]

_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING, "error": logging.ERROR}


def configure_logging(level: str = "info", fmt: str = "json", stream: BinaryIO | None = None) -> None:
    """JSON lines (orjson, written as bytes) or console lines, to ``stream`` (default stderr)."""
    renderer: structlog.types.Processor
    factory: Any
    if fmt == "console":
        renderer = structlog.dev.ConsoleRenderer(colors=False)
        factory = structlog.PrintLoggerFactory(
            file=io.TextIOWrapper(stream, write_through=True) if stream else sys.stderr
        )
    else:
        renderer = structlog.processors.JSONRenderer(serializer=orjson.dumps)
        factory = structlog.BytesLoggerFactory(file=stream or sys.stderr.buffer)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(_LEVELS.get(level, logging.INFO)),
        logger_factory=factory,
        cache_logger_on_first_use=False,
    )
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(name)s %(levelname)s %(message)s")
    logging.getLogger("aiohttp.access").disabled = True
    route_library_loggers()
