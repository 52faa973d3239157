"""The catalog's HTTP routes on a real aiohttp server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from proxy.appkeys import CATALOG
from proxy.catalog import Catalog
from proxy.catalog.http import add_catalog_routes
from proxy.config import settings_from_dict
from tests.fakes.catalog_config import all_keys, catalog_config
from tests.fakes.catalog_server import FakeCatalogServer


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    fake = await FakeCatalogServer().start()
    config = catalog_config(fake, str(tmp_path), ["groq", "anthropic"], sources=["native", "models_dev"])
    catalog = Catalog(settings_from_dict(config), environ=all_keys())
    await catalog.start()
    await catalog.refresh()
    app = web.Application()
    app[CATALOG] = catalog
    add_catalog_routes(app, CATALOG)
    async with TestClient(TestServer(app)) as c:
        yield c
    await catalog.close()
    await fake.close()


async def test_v1_models_openai_shape(client: TestClient[web.Request, web.Application]) -> None:
    body = await (await client.get("/v1/models")).json()
    assert body["object"] == "list"
    rows = {r["id"]: r for r in body["data"]}
    assert rows["openai/gpt-oss-120b"]["object"] == "model"
    assert rows["openai/gpt-oss-120b"]["owned_by"] == "groq"
    assert rows["openai/gpt-oss-120b"]["context_window"] == 131072
    assert isinstance(rows["openai/gpt-oss-120b"]["created"], int)
    assert "claude-opus-4-1-20250805" in rows


async def test_v1_models_anthropic_shape(client: TestClient[web.Request, web.Application]) -> None:
    body = await (await client.get("/v1/models", headers={"anthropic-version": "2023-06-01"})).json()
    assert body["has_more"] is False and body["first_id"] == body["data"][0]["id"]
    row = next(r for r in body["data"] if r["id"] == "claude-sonnet-4-5-20250929")
    assert row["type"] == "model" and row["created_at"] == "2025-09-29T00:00:00Z"


async def test_catalog_models_filter_and_one_model(client: TestClient[web.Request, web.Application]) -> None:
    body = await (await client.get("/catalog/models", params={"provider": "anthropic"})).json()
    assert {m["upstream"] for m in body["models"]} == {"anthropic"} and len(body["models"]) == 4
    one = await (await client.get("/catalog/models/openai/gpt-oss-120b", params={"upstream": "groq"})).json()
    assert one["context_window"] == 131072 and one["provenance"]["context_window"]["source"] == "native:groq"
    unknown = await client.get("/catalog/models/not/a-model")
    assert unknown.status == 200 and (await unknown.json())["unknown"] is True


async def test_catalog_changes_and_sources(client: TestClient[web.Request, web.Application]) -> None:
    changes = (await (await client.get("/catalog/changes")).json())["changes"]
    assert len(changes) == 1 and len(changes[0]["added"]) > 5
    later = await (await client.get("/catalog/changes", params={"since": "2999-01-01T00:00:00Z"})).json()
    assert later["changes"] == []
    bad = await client.get("/catalog/changes", params={"since": "yesterday"})
    assert bad.status == 400 and bad.headers["x-ctxproxy-error"] == "invalid_since"
    error = (await bad.json())["error"]  # OpenAI's shape, with a code like every other proxy error
    assert error["code"] == "invalid_since" and error["type"] == "invalid_request_error"
    assert error["message"] == "since: not an ISO 8601 time: 'yesterday'"
    sources = await (await client.get("/catalog/sources")).json()
    names = {s["source"] for s in sources["sources"]}
    assert {"native:groq", "native:anthropic", "models_dev", "litellm_bundled"} <= names
    assert "models_dev" in sources["evaluation"]["sources"]


async def test_v1_models_on_a_first_start_lists_chat_models_first_and_no_price_rows(tmp_path: Path) -> None:
    """First start, nothing fetched yet: LiteLLM's bundled map stands in for the native lists.
    Its price rows (``1024-x-1024/gpt-image-1.5``) are not models; chat models come first."""
    from proxy.config import load_settings

    settings = load_settings(
        environ={}, overrides={"catalog": {"refresh_on_start": False, "cache_dir": str(tmp_path)}}
    )
    catalog = Catalog(settings, environ={})
    await catalog.start()
    app = web.Application()
    app[CATALOG] = catalog
    add_catalog_routes(app, CATALOG)
    try:
        async with TestClient(TestServer(app)) as c:
            rows = (await (await c.get("/v1/models")).json())["data"]
    finally:
        await catalog.close()
    ids = [r["id"] for r in rows]
    assert "gpt-4o-mini" in ids and "gpt-image-1.5" in ids
    assert not [i for i in ids if "-x-" in i.split("/")[0] or "/1024-x-" in i], ids[:5]
    # LiteLLM prices fine-tunes by their base (``ft:gpt-4o-2024-08-06``) and code-interpreter
    # containers (``openai/container``, no limits): neither is a model a client can call.
    assert not [i for i in ids if i.startswith("ft:") or i == "container"], ids[:10]
    assert all(not (m.unknown and m.type == "chat") for m in catalog.offered())
    kinds = {m.id: m.type for m in catalog.offered()}
    first_other = next(n for n, i in enumerate(ids) if kinds.get(i, "chat") != "chat")
    assert all(kinds.get(i, "chat") != "chat" for i in ids[first_other:]), "a chat model after a non-chat one"
    assert ids[0] != "1024-x-1024/gpt-image-1.5" and kinds[ids[0]] == "chat"
