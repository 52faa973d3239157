"""LM Studio ``GET /api/v1/models``: ``max_context_length`` (the model's maximum) and, for
loaded models, ``loaded_instances[].config.context_length`` (the effective served window)."""

from __future__ import annotations

from typing import Any

from proxy.catalog.model import SourceModel
from proxy.catalog.sources._parse import as_bool, as_int, rows
from proxy.catalog.sources.base import NativeSource

_TYPES = {"llm": "chat", "vlm": "chat", "embedding": "embedding", "embeddings": "embedding"}


class LMStudioSource(NativeSource):
    provider_name = "lmstudio"
    needs_key = False
    served = True

    @classmethod
    def list_url(cls, base_url: str, models_url: str | None) -> str:
        return models_url or f"{base_url.rstrip('/').removesuffix('/v1')}/api/v1/models"

    def parse(self, body: Any) -> list[SourceModel]:
        out = []
        for item in rows(body, "models"):
            key = item.get("key")
            if not isinstance(key, str):
                continue
            loaded = [
                n
                for inst in item.get("loaded_instances") or []
                if isinstance(inst, dict) and (n := as_int((inst.get("config") or {}).get("context_length")))
            ]
            caps = item.get("capabilities") or {}
            out.append(
                SourceModel(
                    id=key,
                    context_window=min(loaded) if loaded else as_int(item.get("max_context_length")),
                    tools=as_bool(caps.get("trained_for_tool_use")),
                    vision=as_bool(caps.get("vision")),
                    type=_TYPES.get(str(item.get("type")), "chat"),
                )
            )
        return out
