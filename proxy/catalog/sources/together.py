"""Together ``GET /v1/models``: a bare JSON array; ``context_length``, ``type`` and prices
in USD per 1M tokens (floats)."""

from __future__ import annotations

from typing import Any

from proxy.catalog.model import SourceModel
from proxy.catalog.sources._parse import as_int, date_from_epoch, rows, usd
from proxy.catalog.sources.base import NativeSource

_TYPES = {"chat": "chat", "language": "chat", "code": "chat", "embedding": "embedding", "image": "image"}


class TogetherSource(NativeSource):
    provider_name = "together"

    def parse(self, body: Any) -> list[SourceModel]:
        out = []
        for item in rows(body, None):
            model_id = item.get("id")
            if not isinstance(model_id, str):
                continue
            pricing = item.get("pricing") or {}
            out.append(
                SourceModel(
                    id=model_id,
                    context_window=as_int(item.get("context_length")),
                    input_cost=usd(pricing.get("input"), 1e6),
                    output_cost=usd(pricing.get("output"), 1e6),
                    type=_TYPES.get(str(item.get("type")), str(item.get("type") or "chat")),
                    created=date_from_epoch(item.get("created")),
                )
            )
        return out
