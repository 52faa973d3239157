"""Nebius ``GET /v1/models?verbose=true``: ``context_length`` (8000 is a known placeholder,
ignored), prices as USD-per-token strings, ``supported_features``."""

from __future__ import annotations

from typing import Any

from proxy.catalog.fetch import Fetcher
from proxy.catalog.model import SourceModel
from proxy.catalog.sources._parse import as_int, date_from_epoch, guess_type, rows, usd
from proxy.catalog.sources.base import NativeSource

PLACEHOLDER_CONTEXT = 8000


class NebiusSource(NativeSource):
    provider_name = "nebius"

    async def fetch(self, http: Fetcher) -> list[SourceModel]:
        body = await http.json(self.cfg.models_url, headers=self.auth_headers(), params={"verbose": "true"})
        return self.parse(body)

    def parse(self, body: Any) -> list[SourceModel]:
        out = []
        for item in rows(body):
            model_id = item.get("id")
            if not isinstance(model_id, str):
                continue
            window = as_int(item.get("context_length"))
            modality = str((item.get("architecture") or {}).get("modality") or "")
            features = item.get("supported_features") or []
            pricing = item.get("pricing") or {}
            out.append(
                SourceModel(
                    id=model_id,
                    context_window=None if window == PLACEHOLDER_CONTEXT else window,
                    input_cost=usd(pricing.get("prompt")),
                    output_cost=usd(pricing.get("completion")),
                    tools="tools" in features,
                    reasoning="reasoning" in features,
                    vision="image" in modality.split("->")[0],
                    type="embedding" if modality.endswith("embedding") else guess_type(model_id),
                    created=date_from_epoch(item.get("created")),
                )
            )
        return out
