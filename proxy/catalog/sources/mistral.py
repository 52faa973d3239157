"""Mistral ``GET /v1/models``: ``max_context_length`` and capabilities. Alias rows (dated,
``-latest``, bare) share a ``name`` and are merged into one model with aliases."""

from __future__ import annotations

from typing import Any

from proxy.catalog.model import SourceModel
from proxy.catalog.sources._parse import as_bool, as_int, classify, date_from_epoch, rows
from proxy.catalog.sources.base import NativeSource


class MistralSource(NativeSource):
    provider_name = "mistral"

    def parse(self, body: Any) -> list[SourceModel]:
        groups: dict[str, list[dict[str, Any]]] = {}
        for item in rows(body):
            if isinstance(item.get("id"), str):
                groups.setdefault(str(item.get("name") or item["id"]), []).append(item)
        return [self._merge(name, items) for name, items in groups.items()]

    @staticmethod
    def _merge(name: str, items: list[dict[str, Any]]) -> SourceModel:
        main = next((i for i in items if i["id"] == name), items[0])
        names = [i["id"] for i in items] + [
            a for i in items for a in i.get("aliases") or () if isinstance(a, str)
        ]
        aliases = tuple(dict.fromkeys(n for n in [*names, name] if n != main["id"]))
        caps = main.get("capabilities") or {}
        chat = caps.get("completion_chat")
        kind = classify(main["id"])
        return SourceModel(
            id=main["id"],
            aliases=aliases,
            context_window=as_int(main.get("max_context_length")),
            tools=as_bool(caps.get("function_calling")),
            vision=as_bool(caps.get("vision")),
            reasoning=as_bool(caps.get("reasoning")),
            type=kind if chat is not False or kind != "chat" else "other",
            created=date_from_epoch(main.get("created")),
        )
