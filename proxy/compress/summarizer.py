"""The summarizer interface: old anchored summary + newly dropped span → new anchored summary.

Implementations: :class:`~proxy.compress.extractive.ExtractiveSummarizer` (offline,
deterministic, the default) and the LLM summarizer of the live proxy. A summarizer must
update incrementally: it gets the previous summary and only the newly dropped messages.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Protocol

from proxy.compress.summary_format import SUMMARY_HEADER

__all__ = ["SUMMARY_HEADER", "DroppedMessage", "Summarizer", "SummaryRequest", "UpstreamCall"]


@dataclass(frozen=True, slots=True)
class UpstreamCall:
    """Where a ``mode: upstream`` summary is sent, and as whom: data handed down with the
    request (facade → stage context → :class:`SummaryRequest`), never ambient state."""

    base_url: str
    api: str  # upstream API family: openai | anthropic | gemini
    headers: dict[str, str] = field(default_factory=dict, repr=False)  # credentials: never printed
    model: str = ""  # summary model (the upstream's summary_model, else the request's model)


@dataclass(frozen=True, slots=True)
class DroppedMessage:
    """One message leaving the context: its role, tool name (for tool output) and text.

    ``speaker``: who wrote it when the wire says so (a chat message's ``name``, a MassGen
    agent label); ``required``: its first sentence and its questions must be in the digest
    (a MassGen user turn); ``calls``: an assistant message's tool calls, each as
    ``name argument …`` (also on the text's last line, ``Called …``, for LLM summarizers).
    """

    role: str
    text: str
    tool_name: str | None = None
    speaker: str | None = None
    required: bool = False
    calls: tuple[str, ...] = ()  # its tool calls, readable: ``str_replace_editor view src/app.py``


@dataclass(frozen=True, slots=True)
class SummaryRequest:
    previous: str | None  # the current anchored summary, or None on the first compaction
    dropped: tuple[DroppedMessage, ...]  # oldest first
    max_tokens: int  # the summary must stay under this (estimated) size
    model: str  # the conversation's model (for token estimates / an LLM summarizer's choice)
    agent: str | None = None
    key: str = ""  # content address of (previous, dropped): for caches and leases
    upstream: UpstreamCall | None = None  # mode upstream: the request's destination and credentials
    # the date in effect where ``dropped`` starts, when a kept earlier message set it (e.g. the
    # protected first user turn holds "[Session 1 — 3 March 2024]"); a previous summary's wins
    start_day: dt.date | None = None
    # the task's words: the names of folded tool outputs that share one go first on the trail
    focus: frozenset[str] = frozenset()


class Summarizer(Protocol):
    @property
    def name(self) -> str: ...

    async def summarize(self, request: SummaryRequest) -> str:
        """Return the new anchored summary text (raise on failure: the compactor falls back)."""
        ...
