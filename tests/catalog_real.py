"""The catalog on the real documents in ``tests/data/catalog-real`` (models.dev's api.json and
an OpenRouter list, see tests/data/README.md), served by the fake catalog server.

Shared by tests/integration/test_catalog_real.py and tests/bench/catalog_coverage.py (which
prints the coverage table of docs/catalog.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import orjson

from proxy.catalog import Catalog
from proxy.config import settings_from_dict
from tests.fakes.catalog_config import UPSTREAMS, all_keys, catalog_config
from tests.fakes.catalog_server import FakeCatalogServer

REAL = Path(__file__).resolve().parent / "data" / "catalog-real"
LOCAL = ("vllm", "ollama", "lmstudio")
SOURCES = ["litellm", "models_dev", "openrouter", "native"]
# Real OpenAI ids that only complete text (not in models.dev; LiteLLM says mode: completion).
OPENAI_COMPLETION_IDS = ("babbage-002", "davinci-002", "gpt-3.5-turbo-instruct")


@cache
def _load(name: str) -> bytes:
    return (REAL / name).read_bytes()


def models_dev() -> dict[str, Any]:
    return orjson.loads(_load("models_dev_api.json"))  # type: ignore[no-any-return]


def openrouter() -> dict[str, Any]:
    return orjson.loads(_load("openrouter.json"))  # type: ignore[no-any-return]


def openai_list(doc: Mapping[str, Any], extra_ids: tuple[str, ...] = OPENAI_COMPLETION_IDS) -> dict[str, Any]:
    """OpenAI's list shape (ids only, no type field) with the ids models.dev lists for openai."""
    ids = [*doc["openai"]["models"], *extra_ids]
    rows = [{"id": i, "object": "model", "created": 1700000000, "owned_by": "openai"} for i in ids]
    return {"object": "list", "data": rows}


def groq_list(doc: Mapping[str, Any]) -> dict[str, Any]:
    """Groq's list shape (``context_window``, ``max_completion_tokens``, no type field) with
    models.dev's groq entries (``canopylabs/orpheus-*`` among them)."""
    rows = []
    for model_id, entry in doc["groq"]["models"].items():
        limit = entry.get("limit") or {}
        rows.append(
            {
                "id": model_id,
                "object": "model",
                "created": 1700000000,
                "owned_by": "groq",
                "active": True,
                "context_window": limit.get("context") or None,
                "max_completion_tokens": limit.get("output") or None,
            }
        )
    return {"object": "list", "data": rows}


@dataclass
class RealSetup:
    server: FakeCatalogServer
    catalog: Catalog
    providers: list[str] = field(default_factory=list)

    async def close(self) -> None:
        await self.catalog.close()
        await self.server.close()


async def real_catalog(
    cache_dir: str,
    *,
    keys: Mapping[str, str] | None = None,
    providers: list[str] | None = None,
    native_lists: bool = True,
    refresh: bool = True,
    **catalog: Any,
) -> RealSetup:
    """Every provider of the default config on the fake server, the real third-party
    documents, LiteLLM's bundled map as the remote one. ``keys``: the environment (default:
    none, a first start without provider keys); ``native_lists``: the OpenAI and Groq lists
    derived from models.dev instead of the hand-made fixtures."""
    server = await FakeCatalogServer().start()
    doc = models_dev()
    server.bodies["models_dev"] = doc
    server.bodies["openrouter"] = openrouter()
    if native_lists:
        server.bodies["openai"] = openai_list(doc)
        server.bodies["groq"] = groq_list(doc)
    names = providers or list(UPSTREAMS)
    config = catalog_config(server, cache_dir, names, sources=SOURCES, **catalog)
    config["default_upstream"] = "openai" if "openai" in names else names[0]
    cat = Catalog(settings_from_dict(config), environ=dict(keys or {}))
    await cat.start()
    if refresh:
        await cat.refresh()
    return RealSetup(server, cat, names)


def every_key() -> dict[str, str]:
    return all_keys()


@dataclass
class CoverageRow:
    upstream: str
    listed_by: str  # native:<upstream> or the stand-in source
    chat: int = 0
    known: int = 0
    sources: dict[str, int] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)

    @property
    def share(self) -> float:
        return self.known / self.chat if self.chat else 1.0


def coverage(catalog: Catalog, upstreams: list[str]) -> list[CoverageRow]:
    """Per upstream: the chat models its list offers (native, or the stand-in list), how many
    have a known window, and where the windows come from."""
    out = []
    for upstream in upstreams:
        models = [m for m in catalog.offered(upstream) if m.upstream == upstream]
        listed_by = ", ".join(sorted({m.listed_by or "-" for m in models})) or "-"
        row = CoverageRow(upstream, listed_by)
        for m in models:
            if m.type != "chat":
                continue
            row.chat += 1
            if m.unknown:
                row.missing.append(m.id)
                continue
            row.known += 1
            row.sources[m.source] = row.sources.get(m.source, 0) + 1
        out.append(row)
    return out
