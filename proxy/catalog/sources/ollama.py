"""Ollama: ``GET /api/tags`` lists models, ``POST /api/show`` gives the trained context
(``<arch>.context_length``) and capabilities, ``GET /api/ps`` the effective context of loaded
models (what Ollama really serves; it silently truncates above it). Loaded models get the
effective value; others the trained one (set an override if you lower ``num_ctx``)."""

from __future__ import annotations

import asyncio
from typing import Any

from proxy.catalog.fetch import Fetcher, FetchError
from proxy.catalog.model import SourceModel
from proxy.catalog.sources._parse import as_int, date_from_iso, rows
from proxy.catalog.sources.base import NativeSource


class OllamaSource(NativeSource):
    provider_name = "ollama"
    needs_key = False
    served = True

    @classmethod
    def list_url(cls, base_url: str, models_url: str | None) -> str:
        return models_url or f"{base_url.rstrip('/').removesuffix('/v1')}/api/tags"

    @property
    def root(self) -> str:
        return self.cfg.models_url.rstrip("/").removesuffix("/api/tags")

    async def fetch(self, http: Fetcher) -> list[SourceModel]:
        tags = rows(await http.json(self.cfg.models_url, headers=self.auth_headers()), "models")
        names = [t["name"] for t in tags if isinstance(t.get("name"), str)]
        shows = await asyncio.gather(*(self._show(http, name) for name in names))
        loaded = await self._ps(http)
        return [
            self._model(name, tag, show, loaded.get(name))
            for name, tag, show in zip(names, tags, shows, strict=True)
        ]

    async def _show(self, http: Fetcher, name: str) -> dict[str, Any]:
        try:
            body = await http.json(f"{self.root}/api/show", method="POST", body={"model": name})
        except FetchError:
            return {}
        return body if isinstance(body, dict) else {}

    async def _ps(self, http: Fetcher) -> dict[str, int]:
        try:
            running = rows(await http.json(f"{self.root}/api/ps"), "models")
        except FetchError:
            return {}
        return {
            m["name"]: n
            for m in running
            if isinstance(m.get("name"), str) and (n := as_int(m.get("context_length")))
        }

    @staticmethod
    def _model(name: str, tag: dict[str, Any], show: dict[str, Any], effective: int | None) -> SourceModel:
        info = show.get("model_info") or {}
        arch = info.get("general.architecture")
        trained = as_int(info.get(f"{arch}.context_length")) if isinstance(arch, str) else None
        caps = show.get("capabilities") or []
        family = str((tag.get("details") or {}).get("family") or "")
        embedding = "embedding" in caps or "bert" in family or "embed" in name
        return SourceModel(
            id=name,
            context_window=effective or trained,
            tools="tools" in caps if caps else None,
            vision="vision" in caps if caps else None,
            reasoning="thinking" in caps if caps else None,
            type="embedding" if embedding else "chat",
            created=date_from_iso(tag.get("modified_at")),
        )
