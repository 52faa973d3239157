"""Any OpenAI-compatible ``GET {base_url}/models``: ids, plus a context field when present."""

from __future__ import annotations

from typing import Any

from proxy.catalog.model import SourceModel
from proxy.catalog.sources._parse import as_int, classify, date_from_epoch, rows
from proxy.catalog.sources.base import NativeSource

CONTEXT_FIELDS = ("context_window", "context_length", "max_context_length", "max_model_len")


def openai_row(item: dict[str, Any]) -> SourceModel | None:
    model_id = item.get("id")
    if not isinstance(model_id, str) or not model_id:
        return None
    window = next((as_int(item.get(f)) for f in CONTEXT_FIELDS if as_int(item.get(f))), None)
    return SourceModel(
        id=model_id,
        context_window=window,
        type=classify(model_id),
        created=date_from_epoch(item.get("created")),
    )


class GenericSource(NativeSource):
    provider_name = "generic"
    needs_key = False  # send the key when there is one; many local servers need none

    def parse(self, body: Any) -> list[SourceModel]:
        return [m for m in map(openai_row, rows(body)) if m is not None]
