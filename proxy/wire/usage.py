"""Token usage as a provider reports it, whatever the API (each chat API reads its own fields)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class Usage:
    input_tokens: int | None = None  # everything the provider counted as prompt, cache included
    cached_tokens: int = 0
    output_tokens: int | None = None
    response_id: str | None = None


def as_int(value: Any) -> int | None:
    """``value`` if it is a real int (not a bool), else None."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def first_dict(items: Any, pred: Any) -> Any:
    """The first dict in a list that satisfies ``pred`` (None if none or not a list)."""
    if isinstance(items, list):
        for item in items:
            if isinstance(item, dict) and pred(item):
                return item
    return None
