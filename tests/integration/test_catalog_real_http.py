"""The catalog on the real documents, on a running proxy (create_app, real SDKs, the real catalog documents):
/v1/models on a first start without keys, /v1/models/{id}, JSON 405, POST /catalog/refresh,
and the request path's window following ``anthropic-beta: context-1m-…``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import pytest

from proxy.config import settings_from_dict
from tests.catalog_real import SOURCES, models_dev, openrouter
from tests.fakes.catalog_config import catalog_config
from tests.fakes.catalog_server import FakeCatalogServer
from tests.fakes.strict import AnthropicFake, always
from tests.integration.conftest import Running, SdkClients, start_app

KEY = {"x-ctxproxy-key": "pk-test"}


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[tuple[Running, FakeCatalogServer, AnthropicFake]]:
    catalog_server = await FakeCatalogServer().start()
    catalog_server.bodies["models_dev"] = models_dev()
    catalog_server.bodies["openrouter"] = openrouter()
    async with AnthropicFake(window=2_000_000, script=always("ok")) as upstream:
        config: dict[str, Any] = catalog_config(
            catalog_server,
            str(tmp_path),
            ["openai", "anthropic", "groq"],
            sources=SOURCES,
            refresh_on_start=False,
        )
        config["upstreams"]["anthropic"]["base_url"] = upstream.base_url
        config["server"] = {"proxy_keys": ["pk-test"]}
        from proxy.app import create_app

        running = await start_app(create_app(settings_from_dict(config)))
        try:
            yield running, catalog_server, upstream
        finally:
            await running.runner.cleanup()
            await catalog_server.close()


async def _get(url: str, **kw: Any) -> tuple[int, Any, str]:
    async with aiohttp.ClientSession() as s, s.get(url, **kw) as resp:
        body = await resp.read()
        return resp.status, orjson.loads(body), resp.headers.get("content-type", "")


async def test_refresh_route_then_stand_in_lists_and_one_model(
    stack: tuple[Running, FakeCatalogServer, AnthropicFake],
) -> None:
    proxy, _, _ = stack
    async with aiohttp.ClientSession() as s:
        async with s.post(f"{proxy.url}/catalog/refresh") as resp:  # no proxy key
            assert resp.status == 401 and "error" in await resp.json()
        async with s.post(f"{proxy.url}/catalog/refresh", params={"provider": "nope"}, headers=KEY) as resp:
            assert resp.status == 404 and (await resp.json())["error"]["code"] == "unknown_catalog_source"
        async with s.post(f"{proxy.url}/catalog/refresh", headers=KEY) as resp:
            assert resp.status == 200
            done = await resp.json()
    assert done["ok"] is True and done["errors"] == {}
    assert {o["source"] for o in done["outcomes"]} >= {"models_dev", "openrouter", "litellm"}
    assert all(o["status"] in ("ok", "not_modified") for o in done["outcomes"])

    # No provider key: every upstream's list is the best-known third-party one, marked so.
    status, body, _ = await _get(f"{proxy.url}/v1/models")
    assert status == 200
    rows = body["data"]
    by_owner: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_owner.setdefault(row["owned_by"], []).append(row)
    assert set(by_owner) >= {"openai", "anthropic", "groq"}
    sonnet = next(r for r in by_owner["anthropic"] if r["id"] == "claude-sonnet-4-5")
    assert sonnet["context_window"] == 200_000 and sonnet["listed_by"] == "models_dev"
    assert all(r["listed_by"] == "models_dev" for r in by_owner["groq"])

    status, one, _ = await _get(f"{proxy.url}/v1/models/claude-sonnet-4.5")
    assert status == 200 and one["id"] == "claude-sonnet-4-5" and one["context_window"] == 200_000
    status, one, _ = await _get(f"{proxy.url}/v1/models/anthropic/claude-sonnet-4.5:free")
    assert status == 200 and one["context_window"] == 200_000
    status, missing, _ = await _get(f"{proxy.url}/v1/models/no-such-model-xyz")
    assert status == 404 and missing["error"]["code"] == "model_not_found"
    status, shaped, _ = await _get(
        f"{proxy.url}/v1/models/claude-sonnet-4-5", headers={"anthropic-version": "2023-06-01"}
    )
    assert status == 200 and shaped["type"] == "model"


async def test_v1_models_other_methods_json_405(
    stack: tuple[Running, FakeCatalogServer, AnthropicFake],
) -> None:
    proxy, _, _ = stack
    async with aiohttp.ClientSession() as s:
        for path in ("/v1/models", "/v1/models/gpt-4o"):
            async with s.post(f"{proxy.url}{path}", json={}) as resp:
                assert resp.status == 405 and resp.headers["Allow"] == "GET, HEAD"
                assert resp.content_type == "application/json"
                assert (await resp.json())["error"]["type"]
        async with s.delete(f"{proxy.url}/v1/models", headers={"anthropic-version": "2023-06-01"}) as resp:
            body = await resp.json()
            assert resp.status == 405 and body["type"] == "error"


async def test_window_follows_the_beta_header(
    sdk: SdkClients,
    stack: tuple[Running, FakeCatalogServer, AnthropicFake],
) -> None:
    proxy, _, upstream = stack
    async with aiohttp.ClientSession() as s, s.post(f"{proxy.url}/catalog/refresh", headers=KEY) as resp:
        assert resp.status == 200
    client = sdk.anthropic(f"{proxy.url}/anthropic", api_key="sk-ant-x", default_headers=KEY)
    for model in ("claude-sonnet-4.5", "claude-sonnet-4-5-20250929"):
        plain = await client.messages.with_raw_response.create(
            model=model, max_tokens=64, messages=[{"role": "user", "content": "hi"}]
        )
        assert plain.headers["x-ctxproxy-context-window"] == "200000"
        beta = await client.messages.with_raw_response.create(
            model=model,
            max_tokens=64,
            messages=[{"role": "user", "content": "hi"}],
            extra_headers={"anthropic-beta": "context-1m-2025-08-07"},
        )
        assert beta.headers["x-ctxproxy-context-window"] == "1000000"
    assert upstream.requests[-1].headers.get("anthropic-beta") == "context-1m-2025-08-07"
