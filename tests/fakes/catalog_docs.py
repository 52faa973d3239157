"""The documents the fake catalog server serves: the hand-made list responses in
``tests/data/catalog-fixtures`` (or ``$CTXPROXY_CATALOG_FIXTURES``), a small models.dev sample,
a synthetic models.dev of any size (benchmarks), the bundled LiteLLM map, and a document with
one model's limit changed (a refresh that finds a change)."""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

import orjson

from tests.fakes.catalog_config import UPSTREAMS

FIXTURES = Path(
    os.environ.get(
        "CTXPROXY_CATALOG_FIXTURES", str(Path(__file__).resolve().parents[1] / "data" / "catalog-fixtures")
    )
)

GEMINI_PAGE_2 = {
    "models": [
        {
            "name": "models/gemini-2.5-flash-lite",
            "displayName": "Gemini 2.5 Flash-Lite",
            "inputTokenLimit": 1048576,
            "outputTokenLimit": 65536,
            "supportedGenerationMethods": ["generateContent", "countTokens"],
            "thinking": True,
        }
    ]
}

MODELS_DEV = {
    "deepseek": {
        "id": "deepseek",
        "models": {
            "deepseek-chat": {
                "id": "deepseek-chat",
                "tool_call": True,
                "reasoning": False,
                "release_date": "2024-12-26",
                "modalities": {"input": ["text"], "output": ["text"]},
                "cost": {"input": 0.28, "output": 0.42, "cache_read": 0.028},
                "limit": {"context": 128000, "output": 8192},
            },
            "deepseek-v4-flash": {
                "id": "deepseek-v4-flash",
                "tool_call": True,
                "modalities": {"input": ["text"], "output": ["text"]},
                "cost": {"input": 0.1, "output": 0.4},
                "limit": {"context": 1000000, "output": 384000},
            },
        },
    },
    "xai": {
        "id": "xai",
        "models": {
            "grok-4.3": {
                "id": "grok-4.3",
                "tool_call": True,
                "reasoning": True,
                "modalities": {"input": ["text", "image"], "output": ["text"]},
                "cost": {"input": 1.25, "output": 2.5},
                "limit": {"context": 1000000, "output": 30000},
            }
        },
    },
    "mistral": {
        "id": "mistral",
        "models": {
            "codestral-latest": {
                "id": "codestral-latest",
                "modalities": {"input": ["text"], "output": ["text"]},
                "limit": {"context": 128000, "output": 4096},
            }
        },
    },
}


def load_fixture(provider: str) -> dict[str, Any]:
    return orjson.loads((FIXTURES / f"{provider}.json").read_bytes())  # type: ignore[no-any-return]


def extra(doc: dict[str, Any], prefix: str) -> Any:
    for key, body in doc.get("extra_responses", {}).items():
        if key.startswith(prefix):
            return body
    raise KeyError(prefix)


def changed(body: Any, revision: int) -> Any:
    """``body`` with one model's limit set from ``revision`` (shallow copies; the shapes of
    every list the fake serves: ``data``/``models`` lists, bare arrays, models.dev, LiteLLM)."""
    window = 100_000 + revision
    if isinstance(body, list) and body and isinstance(body[0], dict):
        return [{**body[0], "context_length": window}, *body[1:]]
    if not isinstance(body, dict):
        return body
    for key, fields in (
        ("data", ("context_length", "context_window", "max_input_tokens")),
        ("models", ("inputTokenLimit", "contextLength")),
    ):
        rows = body.get(key)
        if isinstance(rows, list) and rows and isinstance(rows[0], dict):
            return {**body, key: [{**rows[0], **{f: window for f in fields}}, *rows[1:]]}
    for name, value in body.items():
        if (
            isinstance(value, dict) and isinstance(value.get("models"), dict) and value["models"]
        ):  # models.dev
            first, entry = next(iter(value["models"].items()))
            models = {
                **value["models"],
                first: {**entry, "limit": {**(entry.get("limit") or {}), "context": window}},
            }
            return {**body, name: {**value, "models": models}}
        if isinstance(value, dict) and "mode" in value:  # LiteLLM's map
            return {**body, name: {**value, "max_input_tokens": window}}
    return body


def bundled_map() -> Any:
    import importlib.util

    spec = importlib.util.find_spec("litellm")
    assert spec is not None and spec.submodule_search_locations
    path = Path(next(iter(spec.submodule_search_locations))) / "model_prices_and_context_window_backup.json"
    return orjson.loads(path.read_bytes())


def synthetic_models_dev(providers: int, per_provider: int) -> dict[str, Any]:
    """A models.dev-shaped document of ``providers × per_provider`` models (benchmarks); the
    first providers are named like the fixture providers, the rest are other vendors."""
    out: dict[str, Any] = dict(copy.deepcopy(MODELS_DEV))
    names = [*UPSTREAMS, *(f"vendor-{i}" for i in range(providers))][:providers]
    for p, name in enumerate(names):
        models = {
            f"model-{p}-{m}": {
                "id": f"model-{p}-{m}",
                "tool_call": m % 2 == 0,
                "modalities": {"input": ["text"], "output": ["text"]},
                "cost": {"input": 0.1 * (m % 7 + 1), "output": 0.4 * (m % 5 + 1)},
                "limit": {"context": 8192 * (m % 16 + 1), "output": 4096},
                "release_date": "2026-01-01",
            }
            for m in range(per_provider)
        }
        if name in out:
            out[name]["models"].update(models)
        else:
            out[name] = {"id": name, "models": models}
    return out
