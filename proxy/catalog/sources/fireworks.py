"""Fireworks ``GET /v1/accounts/fireworks/models``, paged with ``pageSize``/``pageToken``
(``contextLength``, ``supportsTools``, ``supportsImageInput``); prices from the serverless
feed ``GET /v1/serverless/models`` ($ per 1M tokens), best effort."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from proxy.catalog.fetch import Fetcher, FetchError
from proxy.catalog.model import SourceModel
from proxy.catalog.sources._parse import as_bool, as_int, date_from_iso, guess_type, rows, usd
from proxy.catalog.sources.base import NativeSource
from proxy.catalog.sources.paging import page_token

_SKUS = {
    "LLM input tokens (uncached)": "input_cost",
    "LLM input tokens (cached)": "cached_input_cost",
    "LLM output tokens": "output_cost",
}


def pricing_feed(body: Any) -> dict[str, dict[str, float | None]]:
    out: dict[str, dict[str, float | None]] = {}
    for item in rows(body):
        prices = {}
        for entry in item.get("pricing") or []:
            if isinstance(entry, dict) and entry.get("sku") in _SKUS and entry.get("unit") == "1M tokens":
                prices[_SKUS[entry["sku"]]] = usd(entry.get("amount"), 1e6)
        if isinstance(item.get("id"), str):
            out[item["id"]] = prices
    return out


class FireworksSource(NativeSource):
    provider_name = "fireworks"
    pager = page_token(200, max_pages=100)

    async def fetch(self, http: Fetcher) -> list[SourceModel]:
        out = await self.pager.fetch(http, self.cfg.models_url, self.auth_headers(), self.parse)
        prices = await self._prices(http)
        return [m if m.id not in prices else _with_prices(m, prices[m.id]) for m in out]

    async def _prices(self, http: Fetcher) -> dict[str, dict[str, float | None]]:
        url = self.cfg.models_url.replace("/accounts/fireworks/models", "/serverless/models")
        if url == self.cfg.models_url:
            return {}
        try:
            return pricing_feed(await http.json(url, headers=self.auth_headers()))
        except FetchError:
            return {}  # prices are optional; the list itself is good

    def parse(self, body: Any) -> list[SourceModel]:
        out = []
        for item in rows(body, "models"):
            name = item.get("name")
            if not isinstance(name, str) or item.get("state", "READY") != "READY":
                continue
            out.append(
                SourceModel(
                    id=name,
                    context_window=as_int(item.get("contextLength")),
                    tools=as_bool(item.get("supportsTools")),
                    vision=as_bool(item.get("supportsImageInput")),
                    type=guess_type(name),
                    created=date_from_iso(item.get("createTime")),
                )
            )
        return out


def _with_prices(model: SourceModel, prices: dict[str, float | None]) -> SourceModel:
    return replace(
        model,
        input_cost=prices.get("input_cost"),
        output_cost=prices.get("output_cost"),
        cached_input_cost=prices.get("cached_input_cost"),
    )
