"""Library loggers (aiohttp, asyncio) routed through structlog as one JSON line per record.

aiohttp logs its HTTP parser errors as multi-line tracebacks whose messages quote the
offending bytes: a header value (an ``Authorization`` key) or a request line with its query
string (``?key=…``). Here a record becomes one event with the logger's name, its message's
first line (query strings cut), the exception's type, the HTTP status aiohttp answered and a
reason that stops before any quoted value — never the exception's text or a traceback.
A parser error (aiohttp answered 4xx) is the client's fault: one ``http.malformed_request``
warning, not aiohttp's error-level "Error handling request".
"""

from __future__ import annotations

import logging
import re
from typing import Any

import structlog

from proxy.observability.where import exc_where

ROUTED = ("aiohttp", "asyncio")
_SAFE_PREFIX = re.compile(r"[A-Za-z0-9 ,.()_-]*")
_QUERY = re.compile(r"\?\S*")
_MAX = 160


def _first_line(text: str) -> str:
    line = text.strip().split("\n", 1)[0]
    return _QUERY.sub("?…", line)[:_MAX]


def safe_reason(exc: BaseException) -> str:
    """The start of an exception's message, up to the first quote, colon or other value."""
    message = getattr(exc, "message", None)
    text = message if isinstance(message, str) else (str(exc.args[0]) if exc.args else "")
    match = _SAFE_PREFIX.match(text.strip())
    return (match.group(0) if match else "").strip()[:_MAX]


class StructlogHandler(logging.Handler):
    """A stdlib handler writing each record as one structlog event (no values, no traceback)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            fields: dict[str, Any] = {"logger": record.name}
            exc = record.exc_info[1] if record.exc_info else None
            if exc is not None:
                fields["error"] = type(exc).__name__
                status = getattr(exc, "code", None)
                if isinstance(status, int):
                    fields["status"] = status
                    fields["reason"] = safe_reason(exc)
                else:
                    fields["where"] = exc_where(exc)
            try:
                message = record.getMessage()
            except Exception:  # a bad format string in a library: keep the template
                message = str(record.msg)
            log = structlog.get_logger("ctxproxy.lib")
            event = _first_line(message) or "library.log"
            level = record.levelno
            if isinstance(fields.get("status"), int) and 400 <= fields["status"] < 500:
                # aiohttp's HTTP parser refused a malformed request and answered 4xx: the
                # client's fault, not the server's ("Error handling request", logged as error).
                event, level = "http.malformed_request", min(level, logging.WARNING)
            if level >= logging.ERROR:
                log.error(event, **fields)
            elif level >= logging.WARNING:
                log.warning(event, **fields)
            elif level >= logging.INFO:
                log.info(event, **fields)
            else:
                log.debug(event, **fields)
        except Exception:  # never let logging raise into the server
            self.handleError(record)


def route_library_loggers(level: int = logging.WARNING) -> None:
    """Send aiohttp's and asyncio's records to structlog only (no plain-text handler)."""
    handler = StructlogHandler()
    for name in ROUTED:
        logger = logging.getLogger(name)
        for old in [h for h in logger.handlers if isinstance(h, StructlogHandler)]:
            logger.removeHandler(old)
        logger.addHandler(handler)
        logger.setLevel(level)
        logger.propagate = False
