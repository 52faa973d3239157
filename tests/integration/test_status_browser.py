"""The status page in a real headless Chromium after a scripted session through the proxy:
logs in with ``/?key=``, no console error, every chart drawn with data, and a screenshot.

``UPDATE_STATUS_SCREENSHOT=1`` also writes it to docs/status-page.png (the README's)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import pytest

from proxy.config import settings_from_dict
from tests.fakes.catalog_server import FakeCatalogServer, all_keys, catalog_config
from tests.fakes.strict import OpenAIChatFake
from tests.integration.chromium import chromium_binary, chromium_page
from tests.integration.status_session import MODELS, PRICE, WINDOW, run_session
from tests.integration.test_summarizer_live import agent_or_summarizer

pytestmark = pytest.mark.skipif(
    chromium_binary() is None,
    reason="chromium is not installed (apt-get install chromium; .ci/run installs it)",
)

KEY = "status-test-key"
DOCS_SHOT = Path(__file__).resolve().parents[2] / "docs" / "status-page.png"

CHART_DOM = """JSON.stringify(Object.fromEntries([...document.querySelectorAll('svg.chart')].map(svg => [
  svg.dataset.chart,
  {lines: [...svg.querySelectorAll('path.line')].filter(p => (p.getAttribute('d') || '').includes('L')).length,
   points: svg.querySelectorAll('circle.pt').length}])))"""


async def _wait_catalog(url: str) -> None:
    rows: dict[str, Any] = {}
    async with aiohttp.ClientSession() as s:
        for _ in range(100):
            async with s.get(f"{url}/catalog/sources") as r:
                rows = {x["source"]: x for x in (await r.json())["sources"]}
            if all(rows[n]["fetched_at"] for n in ("native:groq", "native:fake")) and rows[
                "native:anthropic"
            ]["failures"]:
                return
            await asyncio.sleep(0.1)
    raise AssertionError(f"catalog never refreshed: {rows}")


async def test_status_page_in_chromium(
    make_proxy: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in all_keys().items():
        monkeypatch.setenv(name, value)
    catalog_fake = await FakeCatalogServer().start()
    catalog_fake.fault("anthropic", "500")  # one source failing: its last error shows on the page
    try:
        # the agents' turns, and the summaries the proxy asks the same upstream for (mode upstream)
        async with OpenAIChatFake(
            window=WINDOW, script=agent_or_summarizer, models=tuple(MODELS.values())
        ) as fake:
            config = catalog_config(
                catalog_fake, str(tmp_path / "cache"), ["groq", "anthropic"], sources=["native", "models_dev"]
            )
            config["upstreams"]["fake"] = {
                "base_url": fake.base_url,
                "api": "openai",
                "api_key_env": None,
                "summary_model": "cheap-summarizer",
            }
            config["catalog"]["refresh_on_start"] = True
            config["catalog"]["overrides"] = {
                m: {"context_window": WINDOW, "max_output_tokens": 512, "input_cost_per_token": PRICE}
                for m in MODELS.values()
            }
            config["compression"] = {"enabled": True, "summarizer": {"mode": "upstream"}}
            config["status"] = {"bucket_s": 1, "window_buckets": 20}
            config["server"] = {"proxy_keys": [KEY]}
            proxy = await make_proxy(settings_from_dict(config))  # no embedded upstreams: loopback only
            await _wait_catalog(proxy.url)
            sent = await run_session(proxy.url, turns=16, pause_s=0.4, headers={"x-ctxproxy-key": KEY})

            async with chromium_page(tmp_path / "profile") as page:
                await page.send("Page.navigate", url=f"{proxy.url}/?key={KEY}")  # sets the cookie
                await page.wait_for("document.body && document.body.dataset.loaded >= '1'")
                assert await page.evaluate("location.pathname + location.search") == "/"  # key left the URL
                charts = orjson.loads(await page.evaluate(CHART_DOM))
                tables = await page.evaluate(
                    "JSON.stringify({totals: document.querySelectorAll('#totals tr').length,"
                    " sources: document.querySelector('#sources').innerText,"
                    " providers: document.querySelectorAll('#providers .bar-row rect').length,"
                    " changes: document.querySelectorAll('#changes li').length,"
                    " cards: document.querySelector('#proxy-cards').innerText})"
                )
                shot = await page.screenshot()
                # the per-model view redraws the same charts from the other grouping
                await page.evaluate(
                    "(() => { const s = document.getElementById('group'); s.value = 'models';"
                    " s.dispatchEvent(new Event('change')); })()"
                )
                await page.wait_for("document.body.dataset.loaded >= '2'")
                by_model = orjson.loads(await page.evaluate(CHART_DOM))
                errors = list(page.errors)
                # the collector itself works: a console error and an uncaught one are both seen
                await page.evaluate("console.error('probe-1'); setTimeout(() => { throw new Error('probe-2'); })")
                await asyncio.sleep(0.5)
                probes = page.errors[len(errors) :]
    finally:
        await catalog_fake.close()

    if os.environ.get("UPDATE_STATUS_SCREENSHOT") == "1":
        DOCS_SHOT.write_bytes(shot)
    assert errors == []
    assert any("probe-1" in e for e in probes) and any("probe-2" in e for e in probes), probes
    usage = ("requests", "compactions", "tokens_before", "tokens_after", "tokens_saved", "money_saved_usd",
             "summary_tokens", "cache_hit_rate", "stable_prefix_rate")  # fmt: skip
    for name in usage:
        # one line per agent, each through several buckets, with a point per non-empty bucket
        assert charts[name]["lines"] == len(MODELS), (name, charts[name])
        assert charts[name]["points"] >= 2 * len(MODELS), (name, charts[name])
        assert by_model[name]["lines"] == len(MODELS), (name, by_model[name])
    assert charts["summary_tokens"]["points"] >= 1, charts["summary_tokens"]  # the summarizer's calls
    for name in ("proxy_requests", "latency", "in_flight"):
        assert charts[name]["lines"] >= 1 and charts[name]["points"] >= 0, (name, charts[name])
    assert charts["proxy_requests"]["points"] >= 3 and charts["latency"]["points"] >= 3
    assert charts["errors_by_kind"]["points"] >= 1  # the two malformed requests
    info = orjson.loads(tables)
    assert info["totals"] == 1 + len(MODELS) + 1  # header, one row per agent, all
    assert "native:groq" in info["sources"] and "http_5xx" in info["sources"]
    assert "network" not in info["sources"]  # nothing outside loopback was tried
    assert info["providers"] >= 1 and info["changes"] >= 1
    assert "latency added p99" in info["cards"]
    assert sent == {"coder": 16, "critic": 12}
    assert len(shot) > 50_000 and shot[:8] == b"\x89PNG\r\n\x1a\n"
