"""The live model catalog: native model lists + models.dev + OpenRouter + LiteLLM's map,
merged per field with provenance, refreshed in the background, changes tracked."""

from proxy.catalog.catalog import Catalog
from proxy.catalog.diff import CatalogDiff
from proxy.catalog.model import ModelInfo, Provenance

__all__ = ["Catalog", "CatalogDiff", "ModelInfo", "Provenance"]
