"""The per-agent/model counters are built once, by ``create_app``, with the catalog's prices,
and reach ``/stats`` and the status page through the typed ``STATS`` app key (never through
``hasattr`` on the chat hooks, never patched after construction)."""

from __future__ import annotations

from typing import Any

import aiohttp
import openai

from proxy.appkeys import CATALOG, CHAT_HOOKS, STATS
from proxy.server.compression import CompressionHooks
from tests.integration.conftest import proxy_settings


async def test_compression_on_counts_with_the_catalog_price(
    make_proxy: Any, fake_url: str, tmp_path: Any
) -> None:
    p = await make_proxy(proxy_settings(fake_url, tmp_path))
    stats, hooks = p.app[STATS], p.app[CHAT_HOOKS]
    assert isinstance(hooks, CompressionHooks) and hooks.stats is stats
    price = p.app[CATALOG].lookup("gpt-4o").pricing.input
    pricing = hooks.pricing("gpt-4o", "openai-chat")  # the cost model, from the catalog's prices
    assert price and pricing is not None and pricing.input == price and pricing.family == "openai"

    client = openai.AsyncOpenAI(base_url=p.url + "/openai", api_key="dummy", max_retries=0)
    try:
        await client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])
    finally:
        await client.close()
    async with aiohttp.ClientSession() as s, s.get(f"{p.url}/stats") as r:
        assert r.status == 200
        data = await r.json()
    assert data["total"]["requests"] == 1 and set(data["models"]) == {"gpt-4o"}
    assert data["total"]["provider_input_tokens"] == 12  # the fake's usage, read by the tap
    assert data["total"]["money_saved_known"] is True and data["total"]["money_saved_usd"] == 0


async def test_compression_off_counts_nothing(make_proxy: Any, fake_url: str, tmp_path: Any) -> None:
    p = await make_proxy(proxy_settings(fake_url, tmp_path, compression={"enabled": False}))
    assert STATS not in p.app
    async with aiohttp.ClientSession() as s:
        async with s.post(
            f"{p.url}/openai/chat/completions",
            json={"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]},
            headers={"authorization": "Bearer dummy"},
        ) as r:
            assert r.status == 200
        async with s.get(f"{p.url}/stats") as r:
            assert (r.status, await r.json()) == (200, {"total": {}, "agents": {}, "models": {}})
        async with s.get(f"{p.url}/status.json") as r:
            assert r.status == 200
