"""Calling the compactor in-process the way ``ctxproxy compress`` does (its CLI semantics)."""

from __future__ import annotations

import dataclasses
from typing import Any

from proxy.compress import Compactor, Limits, TokenCounter
from proxy.config import CompressionSettings, SummaryShare, load_settings

API = "openai-chat"
MODEL = "gpt-4o"


def settings_for(
    strategy: str, target: float | None = None, share: float | None = None
) -> CompressionSettings:
    """``ctxproxy compress --strategy S``: the preset alone (config overrides cleared);
    ``target``: the compaction target instead of the preset's, ``share``: the summary's least
    share of it (room diagnostics)."""
    compression = load_settings(environ={}).compression
    return dataclasses.replace(
        compression,
        strategy=strategy,  # type: ignore[arg-type]
        trigger=None,
        target=target,
        keep_recent_groups=None,
        keep_tool_results=None,
        summary_share=SummaryShare(min=share),
    )


async def compress(
    body: dict[str, Any],
    strategy: str,
    counter: TokenCounter,
    window: int,
    max_output: int | None = None,
    model: str = MODEL,
    target: float | None = None,
    share: float | None = None,
    api: str = API,
) -> tuple[dict[str, Any], Any]:
    """(the body sent, the compactor's result): ``--context-window window [--max-output N]``
    (``api``: ``--api``)."""
    compactor = Compactor(settings_for(strategy, target, share), counter=counter)
    result = await compactor.compress(body, api, model, Limits(window, None, max_output))
    return (result.body if result.body is not None else body), result
