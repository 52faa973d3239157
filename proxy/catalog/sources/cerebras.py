"""Cerebras public catalog ``GET /public/v1/models`` (no auth): ``limits.max_context_length``,
``limits.max_completion_tokens``, prices as USD-per-token strings, capabilities."""

from __future__ import annotations

from typing import Any

from proxy.catalog.model import SourceModel
from proxy.catalog.sources._parse import as_bool, as_int, date_from_epoch, guess_type, rows, usd
from proxy.catalog.sources.base import NativeSource


class CerebrasSource(NativeSource):
    provider_name = "cerebras"
    needs_key = False

    @classmethod
    def list_url(cls, base_url: str, models_url: str | None) -> str:
        root = base_url.rstrip("/").removesuffix("/v1")
        return models_url or f"{root}/public/v1/models"

    def parse(self, body: Any) -> list[SourceModel]:
        out = []
        for item in rows(body):
            model_id = item.get("id")
            if not isinstance(model_id, str):
                continue
            limits = item.get("limits") or {}
            caps = item.get("capabilities") or {}
            pricing = item.get("pricing") or {}
            out.append(
                SourceModel(
                    id=model_id,
                    context_window=as_int(limits.get("max_context_length")),
                    max_output_tokens=as_int(limits.get("max_completion_tokens")),
                    input_cost=usd(pricing.get("prompt")),
                    output_cost=usd(pricing.get("completion")),
                    tools=as_bool(caps.get("tools", caps.get("function_calling"))),
                    vision=as_bool(caps.get("vision")),
                    reasoning=as_bool(caps.get("reasoning")),
                    type=guess_type(model_id),
                    created=date_from_epoch(item.get("created")),
                )
            )
        return out
