"""Small, strict helpers shared by the source parsers (units, types, shapes)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from proxy.catalog.fetch import FetchError
from proxy.catalog.model import SourceModel

_NON_CHAT = (
    ("embedding", ("embed", "bge-", "e5-")),
    ("audio", ("whisper", "tts", "transcribe", "speech", "distil-whisper", "orpheus", "playai-")),
    ("completion", ("babbage-", "davinci-", "gpt-3.5-turbo-instruct")),
    ("image", ("dall-e", "flux", "imagen", "image", "stable-diffusion", "sdxl")),
    ("moderation", ("moderation", "guard", "safeguard")),
    ("rerank", ("rerank",)),
)


def classify(model_id: str) -> str:
    """Heuristic type from an id: the last resort when no source states a type."""
    return guess_type(model_id) or "chat"


def guess_type(model_id: str) -> str | None:
    """A non-chat kind the id plainly names (``whisper``, ``embed``…), else ``None``.

    Native lists without a type field use this: ``None`` lets LiteLLM's ``mode``, then
    models.dev's modalities decide (see merge.py), before :func:`classify` falls back to chat.
    """
    low = model_id.lower()
    for kind, needles in _NON_CHAT:
        if any(n in low for n in needles):
            return kind
    return None


def rows(body: Any, key: str | None = "data") -> list[dict[str, Any]]:
    """The list of model objects under ``key`` (``None``: the body is the array)."""
    items = body if key is None else (body.get(key) if isinstance(body, dict) else None)
    if not isinstance(items, list):
        raise FetchError("malformed", f"expected a list under {key!r}")
    return [item for item in items if isinstance(item, dict)]


def as_int(value: Any) -> int | None:
    """A positive token count, else ``None`` (0, negatives, strings that are not numbers)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)) and value > 0:
        return int(value)
    if isinstance(value, str) and value.strip().isdigit() and int(value) > 0:
        return int(value)
    return None


def usd(value: Any, per: float = 1.0) -> float | None:
    """USD per token from a number/string priced per ``per`` tokens; ``-1``/junk → ``None``."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if number < 0:
        return None
    return number / per


def as_bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def date_from_epoch(value: Any) -> str | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
        return datetime.fromtimestamp(value, UTC).date().isoformat()
    return None


def date_from_iso(value: Any) -> str | None:
    if isinstance(value, str) and len(value) >= 10:
        return value[:10]
    return None


CONTEXT_FIELDS = ("context_window", "context_length", "max_context_length", "max_model_len")


def openai_row(item: dict[str, Any]) -> SourceModel | None:
    """One row of an OpenAI-compatible ``/models`` list: the id, plus a context field when present."""
    model_id = item.get("id")
    if not isinstance(model_id, str) or not model_id:
        return None
    window = next((as_int(item.get(f)) for f in CONTEXT_FIELDS if as_int(item.get(f))), None)
    return SourceModel(
        id=model_id,
        context_window=window,
        type=guess_type(model_id),
        created=date_from_epoch(item.get("created")),
    )


def openai_list(body: Any) -> list[SourceModel]:
    return [m for m in map(openai_row, rows(body)) if m is not None]
