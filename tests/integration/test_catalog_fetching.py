"""Refreshes that fetch and rebuild no more than needed: an unchanged third-party list is not
fetched again (ETag) or not parsed again (its hash), background refreshes of several sources
share one rebuild, and a replica pulls the state another published instead of fetching it.

Each test refreshes a real :class:`~proxy.catalog.Catalog` against the fake providers
(``server``, a fixture of the integration conftest).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from proxy.catalog import Catalog
from proxy.config import settings_from_dict
from proxy.observability.metrics import Metrics
from proxy.storage import MemoryKV
from tests.fakes.catalog_config import all_keys, catalog_config
from tests.fakes.catalog_server import FakeCatalogServer
from tests.integration.catalogkit import make


async def test_unchanged_third_party_lists_are_not_refetched(
    server: FakeCatalogServer, tmp_path: Path
) -> None:
    metrics = Metrics()
    catalog = await make(server, tmp_path, ["deepseek"], sources=["models_dev"], metrics=metrics)
    await catalog.refresh("models_dev")
    first = {s["source"]: s for s in catalog.source_status()}["models_dev"]
    await asyncio.sleep(1.1)
    diff = await catalog.refresh("models_dev")  # 304: kept, and counted as fresh
    assert diff.errors == {} and diff.empty
    again = {s["source"]: s for s in catalog.source_status()}["models_dev"]
    assert again["models"] == first["models"] and again["fetched_at"] > first["fetched_at"]
    labels = {"source": "models_dev", "result": "not_modified"}
    assert metrics.registry.get_sample_value("ctxproxy_catalog_refreshes_total", labels) == 1
    assert catalog.lookup("deepseek-chat").context_window == 128000
    await catalog.close()

    restarted = await make(server, tmp_path, ["deepseek"], sources=["models_dev"])  # ETag from the snapshot
    server.bodies["models_dev"]["deepseek"]["models"]["deepseek-chat"]["limit"]["context"] = 64000
    await restarted.refresh("models_dev")  # changed body: a new ETag, a full fetch
    assert restarted.lookup("deepseek-chat").context_window == 64000
    await restarted.close()


async def test_identical_body_without_etag_is_not_parsed_again(
    server: FakeCatalogServer, tmp_path: Path
) -> None:
    """Most servers send no ETag: an identical body is recognised by its hash instead."""
    server.etags = False
    metrics = Metrics()
    catalog = await make(server, tmp_path, ["deepseek"], sources=["models_dev"], metrics=metrics)
    await catalog.refresh("models_dev")
    diff = await catalog.refresh("models_dev")
    assert diff.errors == {} and diff.empty
    labels = {"source": "models_dev", "result": "not_modified"}
    assert metrics.registry.get_sample_value("ctxproxy_catalog_refreshes_total", labels) == 1
    server.bodies["models_dev"]["deepseek"]["models"]["deepseek-chat"]["limit"]["context"] = 64000
    await catalog.refresh("models_dev")  # a changed body is parsed
    assert catalog.lookup("deepseek-chat").context_window == 64000
    assert metrics.registry.get_sample_value("ctxproxy_catalog_refreshes_total", labels) == 1
    await catalog.close()


async def test_background_refreshes_share_one_rebuild(server: FakeCatalogServer, tmp_path: Path) -> None:
    catalog = await make(server, tmp_path, ["groq", "mistral", "cerebras"], refresh_interval_s=0.4)
    catalog.start_background()
    for _ in range(60):
        await asyncio.sleep(0.05)
        if catalog.changes():
            break
    log = catalog.changes()
    assert len(log) == 1  # three sources, one debounced commit
    assert {"native:groq", "native:mistral", "native:cerebras"} <= set(log[0]["sources"])
    assert {a["upstream"] for a in log[0]["added"]} == {"groq", "mistral", "cerebras"}
    await catalog.close()


async def test_replica_pulls_published_state(server: FakeCatalogServer, tmp_path: Path) -> None:
    kv = MemoryKV()
    settings = settings_from_dict(catalog_config(server, str(tmp_path / "a"), ["groq"]))
    a = Catalog(settings, kv=kv, environ=all_keys())
    b_settings = settings_from_dict(catalog_config(server, str(tmp_path / "b"), ["groq"]))
    b = Catalog(b_settings, kv=kv, environ=all_keys())
    await a.start()
    await b.start()
    await a.refresh()
    assert not b.models()
    assert await b.pull() == 1
    assert {m.id for m in b.models()} == {m.id for m in a.models()}
    assert server.hits["groq"] == 1
    await a.close()
    await b.close()
