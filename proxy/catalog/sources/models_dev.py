"""models.dev ``api.json``: per provider, per model ``limit.{context,input,output}``,
``cost`` in USD per 1M tokens, ``tool_call``, ``reasoning``, modalities, ``release_date``."""

from __future__ import annotations

from typing import Any

from proxy.catalog.bulk import Breather
from proxy.catalog.fetch import FetchError
from proxy.catalog.model import SourceModel
from proxy.catalog.sources._parse import as_bool, as_int, date_from_iso, guess_type, usd
from proxy.catalog.sources.base import TIER_MODELS_DEV, DocumentSource

# models.dev provider ids → ours (others keep their own name).
PROVIDERS = {
    "google": "gemini",
    "togetherai": "together",
    "fireworks-ai": "fireworks",
    "lmstudio": "lmstudio",
}


def parse_models_dev(data: Any, keep: frozenset[str] | None = None) -> tuple[list[SourceModel], int]:
    """(entries of the ``keep`` providers (all when ``None``), entries in the document)."""
    if not isinstance(data, dict):
        raise FetchError("malformed", "models.dev api.json is not an object")
    out = []
    raw = 0
    breathe = Breather()
    for provider_id, provider in data.items():
        models = provider.get("models") if isinstance(provider, dict) else None
        if not isinstance(models, dict):
            continue
        raw += len(models)
        ours = PROVIDERS.get(str(provider_id), str(provider_id))
        if keep is not None and ours not in keep:
            continue
        for model_id, entry in models.items():
            breathe()
            if isinstance(entry, dict):
                out.append(_model(str(entry.get("id") or model_id), ours, entry))
    return out, raw


def _model(model_id: str, provider: str, entry: dict[str, Any]) -> SourceModel:
    limit = entry.get("limit") or {}
    cost = entry.get("cost") or {}
    modalities = entry.get("modalities") or {}
    outputs = modalities.get("output") or ["text"]
    return SourceModel(
        id=model_id,
        provider=provider,
        context_window=as_int(limit.get("context")),
        max_input_tokens=as_int(limit.get("input")),
        max_output_tokens=as_int(limit.get("output")),
        input_cost=usd(cost.get("input"), 1e6),
        output_cost=usd(cost.get("output"), 1e6),
        cached_input_cost=usd(cost.get("cache_read"), 1e6),
        tools=as_bool(entry.get("tool_call")),
        reasoning=as_bool(entry.get("reasoning")),
        vision="image" in (modalities.get("input") or []),
        type=model_type(model_id, outputs, str(entry.get("family") or "")),
        created=date_from_iso(entry.get("release_date")),
    )


def model_type(model_id: str, outputs: list[str], family: str) -> str:
    """From the output modalities: no text out → ``audio``/``image``/``video``; an embedding
    family → ``embedding``; else what the id plainly says, else chat."""
    if "text" not in outputs:
        for kind in ("audio", "image", "video"):
            if kind in outputs:
                return kind
        return "other"
    if "embed" in family:
        return "embedding"
    return guess_type(model_id) or "chat"


class ModelsDevSource(DocumentSource):
    name = "models_dev"
    tier = TIER_MODELS_DEV

    def parse(self, data: Any) -> list[SourceModel]:
        models, self.raw_count = parse_models_dev(data, self.keep)
        return models
