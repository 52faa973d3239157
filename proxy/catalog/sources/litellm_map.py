"""LiteLLM's ``model_prices_and_context_window`` map: the copy bundled with the installed
package (read directly, never ``import litellm``) and the newer one on LiteLLM's main branch.

Keys are ``[provider/]model``; ``max_input_tokens`` is the input/context limit,
``max_output_tokens`` the output limit (``max_tokens`` is legacy and ignored). Every
entry is kept; its ``mode`` gives the model's type (``completion``, ``audio_speech``…), the
first word on types for native lists that have none (see merge.py).
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import Any

from proxy.catalog.bulk import Breather
from proxy.catalog.fetch import Fetcher, FetchError
from proxy.catalog.ids import LITELLM_PROVIDERS
from proxy.catalog.model import SourceModel
from proxy.catalog.sources._parse import as_bool, as_int, date_from_iso, usd
from proxy.catalog.sources.base import TIER_LITELLM_BUNDLED, TIER_LITELLM_REMOTE, DocumentSource, Source

BUNDLED_FILE = "model_prices_and_context_window_backup.json"
# LiteLLM ``mode`` → our ``type``.
MODE_TYPES = {
    "chat": "chat",
    "responses": "chat",
    "completion": "completion",
    "embedding": "embedding",
    "audio_speech": "audio",
    "audio_transcription": "audio",
    "image_generation": "image",
    "image_edit": "image",
    "video_generation": "video",
    "moderation": "moderation",
    "moderations": "moderation",
    "rerank": "rerank",
}
MIN_ENTRIES = 50


def bundled_path() -> Path | None:
    """The bundled JSON inside the installed litellm package, located without importing it."""
    spec = importlib.util.find_spec("litellm")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        path = Path(location) / BUNDLED_FILE
        if path.is_file():
            return path
    return None


def file_signature(path: Path) -> str:
    st = os.stat(path)
    return f"{path}:{st.st_size}:{st.st_mtime_ns}"


def _split_key(key: str, provider: str) -> str:
    head, sep, rest = key.partition("/")
    if sep and (head == provider or LITELLM_PROVIDERS.get(head) == LITELLM_PROVIDERS.get(provider, provider)):
        return rest
    return key


def parse_map(data: Any, keep: frozenset[str] | None = None) -> list[SourceModel]:
    """The entries of the ``keep`` providers (all when ``None``)."""
    if not isinstance(data, dict):
        raise FetchError("malformed", "LiteLLM map is not an object")
    out = []
    breathe = Breather()
    for key, entry in data.items():
        breathe()
        if not isinstance(entry, dict) or key == "sample_spec":
            continue
        raw_provider = str(entry.get("litellm_provider") or "")
        provider = LITELLM_PROVIDERS.get(raw_provider, raw_provider or None)
        if keep is not None and provider not in keep:
            continue
        mode = entry.get("mode")
        limit = as_int(entry.get("max_input_tokens"))
        out.append(
            SourceModel(
                id=_split_key(key, raw_provider),
                provider=provider,
                context_window=limit,
                max_input_tokens=limit,
                max_output_tokens=as_int(entry.get("max_output_tokens")),
                input_cost=usd(entry.get("input_cost_per_token")),
                output_cost=usd(entry.get("output_cost_per_token")),
                cached_input_cost=usd(entry.get("cache_read_input_token_cost")),
                tools=as_bool(entry.get("supports_function_calling")),
                vision=as_bool(entry.get("supports_vision")),
                reasoning=as_bool(entry.get("supports_reasoning")),
                type=MODE_TYPES.get(mode, "other") if isinstance(mode, str) else None,
                created=date_from_iso(entry.get("release_date")),
            )
        )
    return out


def entry_count(data: Any) -> int:
    return (
        sum(1 for k, v in data.items() if isinstance(v, dict) and k != "sample_spec")
        if isinstance(data, dict)
        else 0
    )


class LiteLLMBundled(Source):
    """Not refreshed from the network: re-read when the installed file changes."""

    name = "litellm_bundled"
    tier = TIER_LITELLM_BUNDLED

    async def fetch(self, http: Fetcher) -> list[SourceModel]:
        raise FetchError("unsupported", "the bundled map is read at start-up")


class LiteLLMRemote(DocumentSource):
    """The same map from LiteLLM's main branch. Rejected if tiny or shrunk by more than half."""

    name = "litellm"
    tier = TIER_LITELLM_REMOTE

    def parse(self, data: Any) -> list[SourceModel]:
        self.raw_count = entry_count(data)
        return parse_map(data, self.keep)

    def validate(self, models: list[SourceModel], previous: int) -> None:
        count = self.raw_count or len(models)
        if count < MIN_ENTRIES:
            raise FetchError("suspect", f"LiteLLM map has only {count} entries")
        if previous and count < previous / 2:
            raise FetchError("suspect", f"LiteLLM map shrank from {previous} to {count} entries")
