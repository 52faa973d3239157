"""A failed refresh never loses the last good list: timeouts, server errors, rate limits,
malformed, empty and cut-off answers, a suspect LiteLLM remote map; a rate limit's Retry-After
delays the background retry, and a failed round with a shared store still retries.

Each test refreshes a real :class:`~proxy.catalog.Catalog` against the fake providers
(``server``, a fixture of the integration conftest).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from proxy.catalog import Catalog
from proxy.config import settings_from_dict
from proxy.observability.metrics import Metrics
from proxy.storage import MemoryKV
from tests.fakes.catalog_config import all_keys, catalog_config
from tests.fakes.catalog_server import FakeCatalogServer
from tests.integration.catalogkit import make


@pytest.mark.parametrize(
    ("provider", "kind", "error"),
    [
        ("groq", "timeout", "timeout"),
        ("groq", "500", "http_5xx"),
        ("groq", "429", "rate_limited"),
        ("groq", "malformed", "malformed"),
        ("groq", "empty", "empty"),
        ("together", "empty", "empty"),
        ("anthropic", "midpage", "http_5xx"),
        ("gemini", "midpage", "http_5xx"),
        ("fireworks", "midpage", "http_5xx"),
    ],
)
async def test_faults_keep_last_good(
    server: FakeCatalogServer, tmp_path: Path, provider: str, kind: str, error: str
) -> None:
    metrics = Metrics()
    catalog = await make(server, tmp_path, [provider], metrics=metrics, timeout_s=0.5)
    await catalog.refresh()
    before = {m.key: m.context_window for m in catalog.models()}
    assert before
    for _ in range(3):  # more than the removal threshold
        server.fault(provider, kind)
        diff = await catalog.refresh()
        assert diff.errors == {f"native:{provider}": error} and diff.empty
        assert {m.key: m.context_window for m in catalog.models()} == before
    labels = {"source": f"native:{provider}", "kind": error}
    assert metrics.registry.get_sample_value("ctxproxy_catalog_refresh_errors_total", labels) == 3
    status = {s["source"]: s for s in catalog.source_status()}
    assert status[f"native:{provider}"]["failures"] == 3
    await catalog.close()


async def test_rate_limit_retry_after_delays_the_background_retry(
    server: FakeCatalogServer, tmp_path: Path
) -> None:
    catalog = await make(server, tmp_path, ["groq"], refresh_interval_s=0.3, refresh_on_start=True)
    server.fault("groq", "429", times=1, retry_after=1)
    catalog.start_background()
    for _ in range(60):
        await asyncio.sleep(0.05)
        if len(server.times.get("groq", [])) >= 2:
            break
    times = server.times["groq"]
    assert len(times) >= 2
    assert times[1] - times[0] >= 1.0  # not the 0.3 s interval nor the backoff: Retry-After
    for _ in range(40):
        if catalog.models("groq"):
            break
        await asyncio.sleep(0.05)
    assert catalog.models("groq")
    await catalog.close()


async def test_litellm_remote_validated(server: FakeCatalogServer, tmp_path: Path) -> None:
    catalog = await make(server, tmp_path, ["groq"], sources=["litellm"])
    server.litellm_map = {f"m{i}": {"mode": "chat", "max_input_tokens": 1000} for i in range(10)}
    assert (await catalog.refresh("litellm")).errors == {"litellm": "suspect"}  # < 50 entries
    big = {
        f"m{i}": {"mode": "chat", "max_input_tokens": 1000, "litellm_provider": "openai"} for i in range(200)
    }
    server.litellm_map = big  # ≥ 50 but less than half of the bundled map's chat entries
    assert (await catalog.refresh("litellm")).errors == {"litellm": "suspect"}
    assert catalog.lookup("gpt-4o").source == "litellm_bundled"
    server.litellm_map = None  # the full map
    assert (await catalog.refresh("litellm")).errors == {}
    assert catalog.lookup("gpt-4o").source == "litellm"  # main branch beats the bundled copy
    await catalog.close()


async def test_background_with_shared_store_retries_after_failure(
    server: FakeCatalogServer, tmp_path: Path
) -> None:
    settings = settings_from_dict(catalog_config(server, str(tmp_path), ["groq"], refresh_interval_s=0.4))
    catalog = Catalog(settings, kv=MemoryKV(), environ=all_keys())
    await catalog.start()
    server.fault("groq", "500", times=1)
    catalog.start_background()
    for _ in range(80):
        await asyncio.sleep(0.05)
        if catalog.models("groq"):
            break
    assert catalog.models("groq")  # the failed round released its lease: the retry ran
    assert server.hits["groq"] >= 2
    await catalog.close()
