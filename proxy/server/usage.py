"""Token usage read from a response as it streams past (JSON body or the SSE events).

Feeds token calibration, stats and Responses-chain tracking. It never changes the bytes:
the forwarder writes each chunk to the client and hands a reference to ``feed``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

from proxy.wire import get_adapter
from proxy.wire.usage import Usage

_MAX_JSON = 8 * 1024 * 1024
_MARKERS = (b'"usage"', b'"usageMetadata"')


def read_usage(api: str, event: dict[str, Any], into: Usage) -> None:
    """Merge what one JSON object (a whole body or one SSE event) says about usage."""
    get_adapter(api).read_usage(event, into)


class UsageTap:
    """Collects usage from a response, then calls ``on_done(usage)`` once on success."""

    def __init__(self, api: str, on_done: Callable[[Usage], None]) -> None:
        self._read = get_adapter(api).read_usage
        self._on_done = on_done
        self._mode: str | None = None  # "sse" | "json"
        self._buf = bytearray()
        self._usage = Usage()
        self._overflow = False

    def feed(self, chunk: bytes) -> None:
        if self._mode is None:
            head = chunk.lstrip()[:1]
            self._mode = "json" if head in (b"{", b"[") else "sse"
        if self._mode == "json":
            if len(self._buf) + len(chunk) > _MAX_JSON:
                self._overflow = True
                self._buf.clear()
            elif not self._overflow:
                self._buf += chunk
            return
        self._buf += chunk
        end = self._buf.rfind(b"\n")
        if end < 0:
            return
        lines = bytes(self._buf[: end + 1])
        del self._buf[: end + 1]
        if not any(m in lines for m in _MARKERS) and b'"id"' not in lines:
            return
        for line in lines.split(b"\n"):
            if line.startswith(b"data:") and (any(m in line for m in _MARKERS) or b'"response.' in line):
                self._parse(line[5:])

    def _parse(self, data: bytes) -> None:
        try:
            obj = orjson.loads(data)
        except orjson.JSONDecodeError:
            return
        if isinstance(obj, dict):
            self._read(obj, self._usage)
        elif isinstance(obj, list):  # gemini non-SSE stream: a JSON array of responses
            for item in obj:
                if isinstance(item, dict):
                    self._read(item, self._usage)

    def finish(self, status: int) -> None:
        if self._mode == "json" and self._buf and not self._overflow:
            self._parse(bytes(self._buf))
        self._buf.clear()
        if 200 <= status < 300 and self._usage.input_tokens is not None:
            self._on_done(self._usage)
