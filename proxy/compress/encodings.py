"""Offline tiktoken encodings, loaded from the files litellm ships (never downloaded)."""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

import tiktoken

from proxy.config import Settings

O200K = "o200k_base"
CL100K = "cl100k_base"
_O200K_PREFIXES = (
    "gpt-4o",
    "gpt-4.1",
    "gpt-4.5",
    "gpt-5",
    "o1",
    "o3",
    "o4",
    "chatgpt-4o",
    "gpt-oss",
    "codex",
)


def litellm_tokenizer_dir() -> Path | None:
    """``<site-packages>/litellm/litellm_core_utils/tokenizers`` located without importing litellm."""
    spec = importlib.util.find_spec("litellm")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "litellm_core_utils" / "tokenizers"
    return path if path.is_dir() else None


def encoding_name_for(model: str) -> str:
    """o200k for gpt-4o / 4.1 / 5 / o-series (also behind a ``provider/`` prefix), else cl100k."""
    name = model.lower().rsplit("/", 1)[-1]
    return O200K if name.startswith(_O200K_PREFIXES) else CL100K


_OPENAI_HOSTS = ("api.openai.com", ".openai.azure.com", ".cognitiveservices.azure.com")


def serves_openai_models(name: str, api: str, base_url: str, provider: str | None) -> bool:
    """An upstream whose models are OpenAI's own (o200k): OpenAI's API or Azure OpenAI."""
    if api != "openai":
        return False
    host = (urlsplit(base_url).hostname or "").lower()
    labels = {name.lower(), (provider or "").lower()}
    return bool(labels & {"openai", "azure"}) or host.endswith(_OPENAI_HOSTS)


def needed_encodings(settings: Settings) -> list[str]:
    """The encodings the configured upstreams need, loaded before the proxy reports ready.

    cl100k for every upstream (it approximates every non-OpenAI family); o200k as well for
    OpenAI's own API / Azure OpenAI, or when a model named in the config (catalog overrides,
    compression.models, summary models) is an o200k model. Another upstream that is sent an
    o200k model name loads it on that first request (off the event loop, once).
    """
    if not settings.upstreams:
        return []
    names = {CL100K}
    models: Iterable[str] = [
        *settings.catalog.overrides,
        *settings.compression.models,
        *(u.summary_model for u in settings.upstreams.values() if u.summary_model),
        *([settings.compression.summarizer.model] if settings.compression.summarizer.model else []),
    ]
    if any(encoding_name_for(m) == O200K for m in models) or any(
        serves_openai_models(n, u.api, u.base_url, u.provider) for n, u in settings.upstreams.items()
    ):
        names.add(O200K)
    return sorted(names)


class Encodings:
    """Loads each encoding once, on first use; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loaded: dict[str, tiktoken.Encoding] = {}
        cache_dir = litellm_tokenizer_dir()
        if cache_dir is not None:
            # tiktoken reads its cache directory from the environment: point it at litellm's files.
            os.environ.setdefault("TIKTOKEN_CACHE_DIR", str(cache_dir))

    def loaded(self, name: str) -> bool:
        return name in self._loaded

    def get(self, name: str) -> tiktoken.Encoding:
        enc = self._loaded.get(name)
        if enc is None:
            with self._lock:
                enc = self._loaded.get(name)
                if enc is None:
                    enc = tiktoken.get_encoding(name)
                    self._loaded[name] = enc
        return enc
