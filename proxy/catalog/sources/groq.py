"""Groq ``GET /openai/v1/models``: ``context_window`` and ``max_completion_tokens``;
whisper/tts/guard rows are typed as non-chat, inactive rows dropped."""

from __future__ import annotations

from typing import Any

from proxy.catalog.model import SourceModel
from proxy.catalog.sources._parse import as_int, date_from_epoch, guess_type, rows
from proxy.catalog.sources.base import NativeSource


class GroqSource(NativeSource):
    provider_name = "groq"

    def parse(self, body: Any) -> list[SourceModel]:
        out = []
        for item in rows(body):
            model_id = item.get("id")
            if not isinstance(model_id, str) or item.get("active") is False:
                continue
            out.append(
                SourceModel(
                    id=model_id,
                    context_window=as_int(item.get("context_window")),
                    max_output_tokens=as_int(item.get("max_completion_tokens")),
                    type=guess_type(model_id),
                    created=date_from_epoch(item.get("created")),
                )
            )
        return out
