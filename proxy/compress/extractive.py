"""The offline summarizer (``mode: extractive``, the default): the dense digest of :mod:`digest`.

Deterministic, no LLM, no network, updated incrementally: it receives the previous summary
and only the newly dropped messages, appends attributed lines for those and leaves the lines
already there byte for byte (until the digest outgrows its budget: then only its oldest lines
are compacted into coarser ones). The name ``extractive`` is kept: every word of the digest
comes from the conversation.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from proxy.compress.digest import build_summary
from proxy.compress.summarizer import SummaryRequest
from proxy.compress.units import estimate_tokens

_OFFLOAD_CHARS = 200_000

__all__ = ["ExtractiveSummarizer", "build_summary", "estimate_tokens"]


class ExtractiveSummarizer:
    """The default summarizer: a dense, attributed digest; no network, no model.

    ``count_tokens(text, model)``, when given, is the real token count: the digest is then
    checked against its budget with it rather than with the (high) character estimate.
    """

    name = "extractive"

    def __init__(self, count_tokens: Callable[[str, str], int] | None = None) -> None:
        self._count = count_tokens

    def _build(self, request: SummaryRequest) -> str:
        count = self._count
        if count is None:
            return build_summary(request)
        return build_summary(request, lambda text: count(text, request.model))

    async def summarize(self, request: SummaryRequest) -> str:
        if sum(len(m.text) for m in request.dropped) > _OFFLOAD_CHARS:
            return await asyncio.to_thread(self._build, request)
        return self._build(request)
