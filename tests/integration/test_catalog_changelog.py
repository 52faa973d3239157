"""What a refresh reports: models added, changed and removed (a model is removed only after
two good refreshes miss it), the changelog, its metrics, and the webhook that receives each diff.

Each test refreshes a real :class:`~proxy.catalog.Catalog` against the fake providers
(``server``, a fixture of the integration conftest).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from proxy.observability.metrics import Metrics
from tests.fakes.catalog_server import FakeCatalogServer
from tests.integration.catalogkit import make


async def test_removal_after_two_good_refreshes_and_changelog(
    server: FakeCatalogServer, tmp_path: Path
) -> None:
    metrics = Metrics()
    catalog = await make(server, tmp_path, ["groq"], metrics=metrics)
    first = await catalog.refresh()
    assert {a["id"] for a in first.added} >= {"openai/gpt-oss-120b", "qwen/qwen3-32b"}
    assert {a["context_window"] for a in first.added if a["id"] == "qwen/qwen3-32b"} == {131072}
    assert (await catalog.refresh()).empty  # nothing changed: nothing logged

    server.remove_model("groq", "qwen/qwen3-32b")
    server.bodies["groq"]["data"][0]["context_window"] = 100000  # openai/gpt-oss-120b shrinks
    second = await catalog.refresh()
    assert second.removed == [] and any(m.id == "qwen/qwen3-32b" for m in catalog.models())
    assert second.changed[0] | {"source": None} == {
        "id": "openai/gpt-oss-120b",
        "upstream": "groq",
        "field": "context_window",
        "old": 131072,
        "new": 100000,
        "source": None,
    }
    server.fault("groq", "500")
    await catalog.refresh()  # a failure is not a miss
    server.clear_faults()
    assert any(m.id == "qwen/qwen3-32b" for m in catalog.models())
    third = await catalog.refresh()
    assert [r["id"] for r in third.removed] == ["qwen/qwen3-32b"]
    assert all(m.id != "qwen/qwen3-32b" for m in catalog.models())

    log = catalog.changes()
    assert [len(e["added"]) for e in log] == [len(first.added), 0, 0]
    assert [len(e["removed"]) for e in log] == [0, 0, 1]
    assert log[1]["changed"][0]["source"] == "native:groq"
    assert catalog.changes(since=__import__("datetime").datetime.fromisoformat(log[-1]["at"]))[-1] == log[-1]
    sample = metrics.registry.get_sample_value
    assert sample("ctxproxy_catalog_changes_total", {"kind": "added"}) == len(first.added)
    assert sample("ctxproxy_catalog_changes_total", {"kind": "removed"}) == 1
    age = sample("ctxproxy_catalog_source_age_seconds", {"source": "native:groq"})
    assert age is not None and 0 <= age < 60
    await catalog.close()


async def test_webhook_receives_each_diff(server: FakeCatalogServer, tmp_path: Path) -> None:
    catalog = await make(server, tmp_path, ["groq"], webhook_url=server.base("webhook") + "/hook")
    diff = await catalog.refresh()
    for _ in range(40):
        if server.posts:
            break
        await asyncio.sleep(0.025)
    assert server.posts == [diff.to_dict()]
    await catalog.close()
