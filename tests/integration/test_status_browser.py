"""The status page in a real headless Chromium after a scripted session through the proxy:
logs in with ``/?key=``, no console error, every chart drawn with data, and a screenshot.
At a 390 px phone and at a desktop width: no sideways page scroll (tables scroll in their own
box), the summary table holds the window's figures, the added-latency percentiles are within
5 % of those computed from the access log, in flight shows each bucket's peak, count axes have
whole-number labels, and requests and errors both count the rejected requests.

``UPDATE_STATUS_SCREENSHOT=1`` also writes it to docs/status-page.png (the README's)."""

from __future__ import annotations

import asyncio
import math
import os
import re
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import pytest

from proxy.config import settings_from_dict
from tests.fakes.catalog_config import all_keys, catalog_config
from tests.fakes.catalog_server import FakeCatalogServer
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


# Charts whose values are counts: their y-axis labels must be whole numbers.
COUNT_CHARTS = ("requests", "compactions", "tokens_saved", "proxy_requests", "in_flight", "errors_by_kind")
LAYOUT = """JSON.stringify({
  page: document.documentElement.scrollWidth, viewport: window.innerWidth,
  boxes: [...document.querySelectorAll('.table-box')].map(b => ({
    overflow: getComputedStyle(b).overflowX, right: b.getBoundingClientRect().right,
    scroll: b.scrollWidth, client: b.clientWidth})),
  charts: Math.max(...[...document.querySelectorAll('svg.chart')].map(c => c.getBoundingClientRect().right)),
  yLabels: Object.fromEntries([...document.querySelectorAll('svg.chart')].map(svg => [
    svg.dataset.chart, [...svg.querySelectorAll('text.y-label')].map(t => t.textContent)])),
  cards: Object.fromEntries([...document.querySelectorAll('#proxy-cards .card')].map(c => [
    c.querySelector('.k').textContent, c.querySelector('.v').textContent])),
  all: [...document.querySelectorAll('#totals tr')].at(-1).innerText.split('\\t'),
})"""


def nearest_rank(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(1, math.ceil(q * len(ordered) - 1e-9)) - 1]


def prometheus_quantile(q: float, metrics_text: str) -> float:
    """What the page showed before: histogram_quantile over ctxproxy_overhead_seconds (ms)."""
    counts: dict[float, float] = {}
    for m in re.finditer(
        r'^ctxproxy_overhead_seconds_bucket\{.*?le="([^"]+)".*?\} ([\d.e+]+)$', metrics_text, re.M
    ):
        le = float(m.group(1))
        counts[le] = counts.get(le, 0.0) + float(m.group(2))
    bounds = sorted(counts.items())
    rank, prev_le, prev_n = q * bounds[-1][1], 0.0, 0.0
    for le, n in bounds:
        if n >= rank:
            if math.isinf(le):
                return prev_le * 1000
            return (prev_le + (le - prev_le) * (rank - prev_n) / (n - prev_n)) * 1000
        prev_le, prev_n = le, n
    return prev_le * 1000


async def _wait_catalog(url: str) -> None:
    rows: dict[str, Any] = {}
    async with aiohttp.ClientSession() as s:
        for _ in range(100):
            async with s.get(f"{url}/catalog/sources") as r:
                rows = {x["source"]: x for x in (await r.json())["sources"]}
            if (
                all(rows[n]["fetched_at"] for n in ("native:groq", "native:fake"))
                and rows["native:anthropic"]["failures"]
            ):
                return
            await asyncio.sleep(0.1)
    raise AssertionError(f"catalog never refreshed: {rows}")


async def test_status_page_in_chromium(
    make_proxy: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, captured_logs: Any
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
            config["status"] = {"bucket_s": 1, "window_buckets": 120}  # the whole session in the window
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
                layouts = {}
                for width in (390, 1400):  # a phone, a desktop
                    await page.send(
                        "Emulation.setDeviceMetricsOverride",
                        width=width,
                        height=900,
                        deviceScaleFactor=1,
                        mobile=width < 600,
                    )
                    await asyncio.sleep(0.3)
                    layouts[width] = orjson.loads(await page.evaluate(LAYOUT))
                    if width == 390:
                        (tmp_path / "status-390.png").write_bytes(await page.screenshot(width=390))
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
                await page.evaluate(
                    "console.error('probe-1'); setTimeout(() => { throw new Error('probe-2'); })"
                )
                await asyncio.sleep(0.5)
                probes = page.errors[len(errors) :]
            async with aiohttp.ClientSession(headers={"x-ctxproxy-key": KEY}) as s:
                async with s.get(f"{proxy.url}/status.json") as r:
                    data = await r.json()
                async with s.get(f"{proxy.url}/metrics") as r:
                    metrics_text = await r.text()
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

    # the access log: what the percentiles and the request counts must agree with
    lines = [orjson.loads(x) for x in captured_logs.getvalue().splitlines() if x.startswith("{")]
    completed = [x for x in lines if x.get("event") == "request.completed"]
    overhead = [x["overhead_ms"] for x in completed if "overhead_ms" in x]
    rejected = [x for x in completed if x.get("error")]
    assert len(overhead) == sum(sent.values()) and len(rejected) == 2
    shown = data["proxy"]
    figures = {}
    for q, name in ((0.5, "latency_added_p50_ms"), (0.99, "latency_added_p99_ms")):
        true, got, before = nearest_rank(overhead, q), shown[name], prometheus_quantile(q, metrics_text)
        figures[name] = (true, got, before)
        assert abs(got - true) <= 0.05 * true, (name, got, true)
    print("percentiles (access log, page, Prometheus buckets):", figures)
    # requests and errors count the same requests: rejected ones are in both
    assert shown["requests"] == len(completed) == sum(sent.values()) + 2 and shown["errors"] == 2
    assert max(data["series"]["proxy"]["in_flight"]) >= 1  # each bucket's peak, not its end
    assert charts["in_flight"]["points"] >= 1
    window_requests = sum(sum(v["requests"]) for v in data["series"]["total"].values())
    assert data["window"]["total"]["requests"] == window_requests == sum(sent.values())
    for width, layout in layouts.items():
        print(f"{width} px: page {layout['page']} px wide, table boxes", layout["boxes"])
        assert layout["page"] <= layout["viewport"] == width, (width, layout["page"])  # no sideways scroll
        assert layout["charts"] <= width
        for box in layout["boxes"]:
            assert box["overflow"] == "auto" and box["right"] <= width, (width, box)
        for chart in COUNT_CHARTS:
            labels = layout["yLabels"][chart]
            assert labels and all(re.fullmatch(r"\d+|\d+(\.\d)?[kMG]", t) for t in labels), (chart, labels)
        cards = layout["cards"]
        assert cards["requests (window)"] == str(sum(sent.values()) + 2) and cards["errors (window)"] == "2"
        # the card shows the figure to 2 decimals (JavaScript rounds 34.625 up, Python's
        # format down: compare the number, within the last digit's half)
        card = re.fullmatch(r"(\d+\.\d\d) ms", cards["latency added p99"])
        assert card is not None, cards["latency added p99"]
        assert abs(float(card.group(1)) - shown["latency_added_p99_ms"]) <= 0.0051, (card, shown)
        assert layout["all"][:2] == ["all", str(sum(sent.values()))]  # the table: the window's figures
    phone_totals = layouts[390]["boxes"][0]
    assert phone_totals["scroll"] > phone_totals["client"]  # the wide table scrolls in its own box
