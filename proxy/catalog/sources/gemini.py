"""Gemini ``GET /v1beta/models?pageSize=1000``, paged with ``pageToken``/``nextPageToken``.

Ids come as ``models/<id>`` (prefix stripped). ``inputTokenLimit`` is the input limit,
``outputTokenLimit`` the output limit. Models without ``generateContent`` are typed non-chat.
"""

from __future__ import annotations

from typing import Any

from proxy.catalog.fetch import Fetcher
from proxy.catalog.model import SourceModel
from proxy.catalog.sources._parse import as_int, classify, rows
from proxy.catalog.sources.base import NativeSource
from proxy.catalog.sources.paging import page_token

_PAGER = page_token(1000, max_pages=50)


class GeminiSource(NativeSource):
    provider_name = "gemini"
    family = "gemini"

    async def fetch(self, http: Fetcher) -> list[SourceModel]:
        return await _PAGER.fetch(http, self.cfg.models_url, self.auth_headers(), self.parse)

    def parse(self, body: Any) -> list[SourceModel]:
        out = []
        for item in rows(body, "models"):
            name = item.get("name")
            if not isinstance(name, str):
                continue
            model_id = name.removeprefix("models/")
            limit = as_int(item.get("inputTokenLimit"))
            methods = item.get("supportedGenerationMethods") or []
            guess = classify(model_id)
            kind = "chat" if "generateContent" in methods else (guess if guess != "chat" else "other")
            out.append(
                SourceModel(
                    id=model_id,
                    context_window=limit,
                    max_input_tokens=limit,
                    max_output_tokens=as_int(item.get("outputTokenLimit")),
                    reasoning=item.get("thinking") if isinstance(item.get("thinking"), bool) else None,
                    type=kind,
                )
            )
        return out
