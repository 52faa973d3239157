"""xAI ``GET /v1/language-models``: aliases, modalities and prices (integer cents per 100M
tokens), no context window (that comes from models.dev, LiteLLM or an override)."""

from __future__ import annotations

from typing import Any

from proxy.catalog.model import SourceModel
from proxy.catalog.sources._parse import date_from_epoch, rows, usd
from proxy.catalog.sources.base import NativeSource

_CENTS_PER_100M = 100 * 100_000_000  # cents → USD, per 100M tokens → per token


class XAISource(NativeSource):
    provider_name = "xai"

    @classmethod
    def list_url(cls, base_url: str, models_url: str | None) -> str:
        return models_url or f"{base_url.rstrip('/')}/language-models"

    def parse(self, body: Any) -> list[SourceModel]:
        out = []
        for item in rows(body, "models"):
            model_id = item.get("id")
            if not isinstance(model_id, str):
                continue
            aliases = tuple(a for a in item.get("aliases") or () if isinstance(a, str))
            inputs = item.get("input_modalities") or []
            out.append(
                SourceModel(
                    id=model_id,
                    aliases=aliases,
                    input_cost=usd(item.get("prompt_text_token_price"), _CENTS_PER_100M),
                    output_cost=usd(item.get("completion_text_token_price"), _CENTS_PER_100M),
                    cached_input_cost=usd(item.get("cached_prompt_text_token_price"), _CENTS_PER_100M),
                    vision="image" in inputs,
                    type="chat" if "text" in (item.get("output_modalities") or ["text"]) else "image",
                    created=date_from_epoch(item.get("created")),
                )
            )
        return out
