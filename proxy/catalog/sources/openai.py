"""OpenAI ``GET /v1/models``: ids only (no limits); fine-tunes and non-chat models typed."""

from __future__ import annotations

from proxy.catalog.sources.base import NativeSource


class OpenAISource(NativeSource):
    provider_name = "openai"  # the OpenAI list shape: NativeSource's default parsing
