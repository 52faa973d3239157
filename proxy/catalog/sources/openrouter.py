"""OpenRouter ``GET /api/v1/models`` (public, no auth): ``context_length``,
``top_provider.max_completion_tokens``, prices as USD-per-token strings (``-1`` = variable).

Two sources share the parser: the native list of a configured ``openrouter`` upstream, and
the third-party catalog (``catalog.openrouter_url``), whose ``vendor/model`` rows are also
offered to the vendor's own provider (``anthropic/claude-sonnet-4.5`` → anthropic) at the
lowest precedence: OpenRouter's limits depend on its routing.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from proxy.catalog.ids import OPENROUTER_VENDORS, strip_variant
from proxy.catalog.model import SourceModel
from proxy.catalog.sources._parse import as_int, date_from_epoch, rows, usd
from proxy.catalog.sources.base import TIER_OPENROUTER, DocumentSource, NativeSource


def parse_openrouter(body: Any, provider: str | None = None) -> list[SourceModel]:
    out = []
    for item in rows(body):
        model_id = item.get("id")
        if not isinstance(model_id, str):
            continue
        top = item.get("top_provider") or {}
        arch = item.get("architecture") or {}
        pricing = item.get("pricing") or {}
        params = item.get("supported_parameters") or []
        outputs = arch.get("output_modalities") or ["text"]
        out.append(
            SourceModel(
                id=model_id,
                context_window=as_int(item.get("context_length")) or as_int(top.get("context_length")),
                max_output_tokens=as_int(top.get("max_completion_tokens")),
                input_cost=usd(pricing.get("prompt")),
                output_cost=usd(pricing.get("completion")),
                cached_input_cost=usd(pricing.get("input_cache_read")),
                tools="tools" in params,
                reasoning="reasoning" in params,
                vision="image" in (arch.get("input_modalities") or []),
                type="chat" if "text" in outputs else "image",
                created=date_from_epoch(item.get("created")),
                provider=provider,
            )
        )
    return out


class OpenRouterSource(NativeSource):
    provider_name = "openrouter"
    needs_key = False

    def parse(self, body: Any) -> list[SourceModel]:
        return parse_openrouter(body)


class OpenRouterCatalog(DocumentSource):
    """The third-party view (tier below LiteLLM)."""

    name = "openrouter"
    tier = TIER_OPENROUTER

    def parse(self, data: Any) -> list[SourceModel]:
        out = []
        rows = parse_openrouter(data, "openrouter")
        self.raw_count = len(rows)
        for model in rows:
            if self.kept("openrouter"):
                out.append(model)
            vendor, _, name = model.id.partition("/")
            if vendor in OPENROUTER_VENDORS and name and self.kept(OPENROUTER_VENDORS[vendor]):
                out.append(_as_vendor(model, OPENROUTER_VENDORS[vendor], strip_variant(name)))
        return out


def _as_vendor(model: SourceModel, provider: str, name: str) -> SourceModel:
    return replace(model, id=name, provider=provider)
