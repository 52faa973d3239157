"""Catalog sources: third-party catalogs and one native module per provider.

:func:`native_registry` maps a provider name to its source class; :func:`build_sources`
turns settings into the list of sources to run (native ones only for upstreams that have a
key, or need none).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from proxy.catalog.sources.anthropic import AnthropicSource
from proxy.catalog.sources.base import NativeConfig, NativeSource, Source
from proxy.catalog.sources.cerebras import CerebrasSource
from proxy.catalog.sources.deepseek import DeepSeekSource
from proxy.catalog.sources.fireworks import FireworksSource
from proxy.catalog.sources.gemini import GeminiSource
from proxy.catalog.sources.generic import GenericSource
from proxy.catalog.sources.groq import GroqSource
from proxy.catalog.sources.litellm_map import LiteLLMRemote
from proxy.catalog.sources.lmstudio import LMStudioSource
from proxy.catalog.sources.mistral import MistralSource
from proxy.catalog.sources.models_dev import ModelsDevSource
from proxy.catalog.sources.nebius import NebiusSource
from proxy.catalog.sources.ollama import OllamaSource
from proxy.catalog.sources.openai import OpenAISource
from proxy.catalog.sources.openrouter import OpenRouterCatalog, OpenRouterSource
from proxy.catalog.sources.together import TogetherSource
from proxy.catalog.sources.vllm import VLLMSource
from proxy.catalog.sources.xai import XAISource
from proxy.config import Settings

NATIVE_SOURCES: tuple[type[NativeSource], ...] = (
    OpenAISource,
    AnthropicSource,
    XAISource,
    GroqSource,
    NebiusSource,
    GeminiSource,
    MistralSource,
    DeepSeekSource,
    TogetherSource,
    FireworksSource,
    CerebrasSource,
    OpenRouterSource,
    VLLMSource,
    OllamaSource,
    LMStudioSource,
)

__all__ = ["NativeConfig", "NativeSource", "Source", "SourcePlan", "build_sources", "native_registry"]


def native_registry() -> dict[str, type[NativeSource]]:
    return {cls.provider_name: cls for cls in NATIVE_SOURCES}


@dataclass
class SourcePlan:
    sources: list[Source] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # source name → why
    providers: dict[str, str] = field(default_factory=dict)  # upstream → provider
    # Upstreams whose list is the same request as another's (``gemini`` and ``google``: one
    # provider, URL and key): source name → the source that fetches it for both.
    shared: dict[str, str] = field(default_factory=dict)


def build_sources(settings: Settings, environ: Mapping[str, str] | None = None) -> SourcePlan:
    environ = os.environ if environ is None else environ
    cat = settings.catalog
    plan = SourcePlan()
    if "litellm" in cat.sources:
        plan.sources.append(LiteLLMRemote(cat.litellm_remote_url))
    if "models_dev" in cat.sources:
        plan.sources.append(ModelsDevSource(cat.models_dev_url))
    if "openrouter" in cat.sources:
        plan.sources.append(OpenRouterCatalog(cat.openrouter_url))
    registry = native_registry()
    fetched: dict[tuple[object, ...], str] = {}
    for upstream, up in settings.upstreams.items():
        provider = up.provider or upstream
        plan.providers[upstream] = provider
        if "native" not in cat.sources:
            continue
        cls = registry.get(provider, GenericSource)
        key = environ.get(up.api_key_env) if up.api_key_env else None
        if cls.needs_key and not key:
            plan.skipped[f"native:{upstream}"] = f"no key (${up.api_key_env})"
            continue
        same = (cls, cls.list_url(up.base_url, up.models_url), key or None, tuple(sorted(up.headers.items())))
        if same in fetched:
            plan.shared[f"native:{upstream}"] = fetched[same]
            continue
        fetched[same] = f"native:{upstream}"
        cfg = NativeConfig(
            upstream=upstream,
            provider=provider,
            base_url=up.base_url,
            models_url=cls.list_url(up.base_url, up.models_url),
            api_key=key or None,
            headers=dict(up.headers),
        )
        plan.sources.append(cls(cfg))
    return plan
