"""DeepSeek ``GET /models``: ids only; limits come from models.dev, LiteLLM or overrides."""

from __future__ import annotations

from proxy.catalog.sources.openai import OpenAISource


class DeepSeekSource(OpenAISource):
    provider_name = "deepseek"
