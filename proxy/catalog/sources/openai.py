"""OpenAI ``GET /v1/models``: ids only (no limits); fine-tunes and non-chat models typed."""

from __future__ import annotations

from typing import Any

from proxy.catalog.model import SourceModel
from proxy.catalog.sources._parse import rows
from proxy.catalog.sources.base import NativeSource
from proxy.catalog.sources.generic import openai_row


class OpenAISource(NativeSource):
    provider_name = "openai"

    def parse(self, body: Any) -> list[SourceModel]:
        return [m for m in map(openai_row, rows(body)) if m is not None]
