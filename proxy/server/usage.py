"""Token usage read from a response as it streams past (JSON body or the SSE events).

Feeds token calibration, stats and Responses-chain tracking. It never changes the bytes:
the forwarder writes each chunk to the client and hands a reference to ``feed``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

_MAX_JSON = 8 * 1024 * 1024
_MARKERS = (b'"usage"', b'"usageMetadata"')


@dataclass
class Usage:
    input_tokens: int | None = None  # everything the provider counted as prompt, cache included
    cached_tokens: int = 0
    output_tokens: int | None = None
    response_id: str | None = None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def read_usage(api: str, event: dict[str, Any], into: Usage) -> None:
    """Merge what one JSON object (a whole body or one SSE event) says about usage."""
    if api == "openai-responses":
        resp = event.get("response") if isinstance(event.get("response"), dict) else event
        if isinstance(resp, dict):
            if isinstance(resp.get("id"), str) and resp.get("object", "response") == "response":
                into.response_id = resp["id"]
            u = resp.get("usage")
            if isinstance(u, dict):
                into.input_tokens = _int(u.get("input_tokens")) or into.input_tokens
                into.output_tokens = _int(u.get("output_tokens")) or into.output_tokens
                details = u.get("input_tokens_details") or {}
                into.cached_tokens = _int(details.get("cached_tokens")) or into.cached_tokens
        return
    if api == "anthropic":
        msg = event.get("message") if isinstance(event.get("message"), dict) else event
        u = msg.get("usage") if isinstance(msg, dict) else None
        if not isinstance(u, dict):
            u = event.get("usage") if isinstance(event.get("usage"), dict) else None
        if u:
            base = _int(u.get("input_tokens"))
            read = _int(u.get("cache_read_input_tokens")) or 0
            created = _int(u.get("cache_creation_input_tokens")) or 0
            if base is not None:
                into.input_tokens = base + read + created
                into.cached_tokens = read
            into.output_tokens = _int(u.get("output_tokens")) or into.output_tokens
        return
    if api == "gemini":
        u = event.get("usageMetadata")
        if isinstance(u, dict):
            into.input_tokens = _int(u.get("promptTokenCount")) or into.input_tokens
            into.cached_tokens = _int(u.get("cachedContentTokenCount")) or into.cached_tokens
            into.output_tokens = _int(u.get("candidatesTokenCount")) or into.output_tokens
        return
    u = event.get("usage")  # openai-chat
    if isinstance(u, dict):
        into.input_tokens = _int(u.get("prompt_tokens")) or into.input_tokens
        into.output_tokens = _int(u.get("completion_tokens")) or into.output_tokens
        details = u.get("prompt_tokens_details") or {}
        if isinstance(details, dict):
            into.cached_tokens = _int(details.get("cached_tokens")) or into.cached_tokens


class UsageTap:
    """Collects usage from a response, then calls ``on_done(usage)`` once on success."""

    def __init__(self, api: str, on_done: Callable[[Usage], None]) -> None:
        self._api = api
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
            read_usage(self._api, obj, self._usage)
        elif isinstance(obj, list):  # gemini non-SSE stream: a JSON array of responses
            for item in obj:
                if isinstance(item, dict):
                    read_usage(self._api, item, self._usage)

    def finish(self, status: int) -> None:
        if self._mode == "json" and self._buf and not self._overflow:
            self._parse(bytes(self._buf))
        self._buf.clear()
        if 200 <= status < 300 and self._usage.input_tokens is not None:
            self._on_done(self._usage)
