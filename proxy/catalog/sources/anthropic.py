"""Anthropic ``GET /v1/models?limit=1000``, paged with ``after_id`` while ``has_more``.

``max_input_tokens`` is the input limit (0/missing = unknown), ``max_tokens`` the output limit.
"""

from __future__ import annotations

from typing import Any

from proxy.catalog.fetch import Fetcher
from proxy.catalog.model import SourceModel
from proxy.catalog.sources._parse import as_int, date_from_iso, rows
from proxy.catalog.sources.base import NativeSource
from proxy.catalog.sources.paging import after_id

_PAGER = after_id(1000, max_pages=50)


def _supported(caps: Any, name: str) -> bool | None:
    entry = caps.get(name) if isinstance(caps, dict) else None
    value = entry.get("supported") if isinstance(entry, dict) else None
    return value if isinstance(value, bool) else None


class AnthropicSource(NativeSource):
    provider_name = "anthropic"
    family = "anthropic"

    @classmethod
    def list_url(cls, base_url: str, models_url: str | None) -> str:
        return models_url or f"{base_url.rstrip('/')}/v1/models"

    async def fetch(self, http: Fetcher) -> list[SourceModel]:
        return await _PAGER.fetch(http, self.cfg.models_url, self.auth_headers(), self.parse)

    def parse(self, body: Any) -> list[SourceModel]:
        out = []
        for item in rows(body):
            model_id = item.get("id")
            if not isinstance(model_id, str):
                continue
            limit = as_int(item.get("max_input_tokens"))
            caps = item.get("capabilities")
            out.append(
                SourceModel(
                    id=model_id,
                    context_window=limit,
                    max_input_tokens=limit,
                    max_output_tokens=as_int(item.get("max_tokens")),
                    vision=_supported(caps, "image_input"),
                    reasoning=_supported(caps, "thinking"),
                    tools=True,
                    type="chat",
                    created=date_from_iso(item.get("created_at")),
                )
            )
        return out
