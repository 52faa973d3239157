"""vLLM ``GET /v1/models``: ``max_model_len`` is the limit the server actually serves
(``--max-model-len``), so it outranks every catalog. LoRA adapters are listed with ``parent``."""

from __future__ import annotations

from typing import Any

from proxy.catalog.model import SourceModel
from proxy.catalog.sources._parse import as_int, date_from_epoch, rows
from proxy.catalog.sources.base import NativeSource


class VLLMSource(NativeSource):
    provider_name = "vllm"
    needs_key = False
    served = True

    def parse(self, body: Any) -> list[SourceModel]:
        out = []
        for item in rows(body):
            model_id = item.get("id")
            if isinstance(model_id, str):
                out.append(
                    SourceModel(
                        id=model_id,
                        context_window=as_int(item.get("max_model_len")),
                        type="chat",
                        created=date_from_epoch(item.get("created")),
                    )
                )
        return out
