"""The status page's data (/status.json) after a real session, and how a browser logs in."""

from __future__ import annotations

import base64
import shutil
from typing import Any

import aiohttp
import pytest

from proxy.app import create_app
from proxy.status.recorder import SERIES_KEY
from proxy.storage.redis import RedisKV
from tests.fakes.strict import OpenAIChatFake, tool_loop
from tests.integration.conftest import start_app
from tests.integration.status_session import MODELS, PRICE, run_session, status_settings
from tests.integration.test_redis_replicas import redis_url  # noqa: F401  (fixture)


async def _json(url: str, **kw: Any) -> Any:
    async with aiohttp.ClientSession() as s, s.get(url, **kw) as r:
        assert r.status == 200, await r.text()
        return await r.json()


async def test_status_json_charts_a_session(make_proxy: Any, tmp_path: Any) -> None:
    async with OpenAIChatFake(window=12_000, script=tool_loop(10_000, "read_file")) as fake:
        proxy = await make_proxy(status_settings(fake.base_url, tmp_path))
        per_agent = await run_session(proxy.url)
        sent = sum(per_agent.values())
        data = await _json(f"{proxy.url}/status.json")

    assert data["bucket_s"] == 1 and len(data["t"]) == 30 and data["workers"] == 1
    series = data["series"]
    assert set(series["agents"]) == set(MODELS) and set(series["models"]) == set(MODELS.values())
    for agent, model in MODELS.items():
        a = series["agents"][agent]
        assert sum(a["requests"]) == per_agent[agent]
        assert sum(1 for v in a["requests"] if v) >= 2  # spread over several buckets: a line, not a dot
        assert sum(a["compactions"]) > 0 and sum(a["tokens_saved"]) > 0
        assert sum(a["tokens_before"]) - sum(a["tokens_after"]) == sum(a["tokens_saved"])
        assert any(v for v in a["cache_hit_rate"] if v)  # the fake's prompt cache hit the stable prefix
        assert any(v for v in a["stable_prefix_rate"] if v)
        saved_usd = sum(series["models"][model]["money_saved_usd"])
        assert saved_usd == pytest.approx(sum(series["models"][model]["tokens_saved"]) * PRICE, rel=1e-3)
    totals = data["stats"]
    assert totals["total"]["requests"] == sent
    assert totals["total"]["money_saved_usd"] == pytest.approx(
        totals["total"]["tokens_saved"] * PRICE, rel=1e-3
    )
    proxy_series = series["proxy"]
    # requests and errors count the same requests: the two rejected ones are in both
    assert sum(proxy_series["requests"]) == sent + 2 == data["proxy"]["requests"]
    assert sum(proxy_series["errors"]) == 2 == data["proxy"]["errors"]
    assert sum(series["errors_by_kind"]["invalid_json"]) == 2
    assert data["window"]["total"]["requests"] == sent  # the summary table: the window's chat requests
    assert {k: v["requests"] for k, v in data["window"]["agents"].items()} == per_agent
    assert max(proxy_series["in_flight"]) >= 1  # the peak of each bucket, not its last instant
    assert data["proxy"]["errors_by_kind"] == {"invalid_json": 2}
    p50, p99 = data["proxy"]["latency_added_p50_ms"], data["proxy"]["latency_added_p99_ms"]
    assert p50 is not None and p99 is not None and 0 < p50 <= p99
    catalog = data["catalog"]
    sources = {s["source"]: s for s in catalog["sources"]}
    bundled, remote = sources["litellm_bundled"], sources["litellm"]
    assert bundled["models"] > 100 and bundled["last_error"] is None and bundled["age_s"] is not None
    assert (
        remote["next_refresh_in_s"] is not None and remote["next_refresh_in_s"] > 0
    )  # refreshed in background
    assert isinstance(catalog["models_per_provider"], dict) and isinstance(catalog["recent_changes"], list)


async def test_status_page_login(make_proxy: Any, tmp_path: Any) -> None:
    settings = status_settings("http://127.0.0.1:9/v1", tmp_path, server={"proxy_keys": ["s3cret"]})
    proxy = await make_proxy(settings)
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as s:
        async with s.get(f"{proxy.url}/") as r:
            assert r.status == 401 and 'action="/status/login"' in await r.text()
        async with s.get(f"{proxy.url}/status.json") as r:
            assert r.status == 401 and (await r.json())["error"]["code"] == "invalid_proxy_key"
        async with s.get(f"{proxy.url}/?key=wrong", allow_redirects=False) as r:
            assert r.status == 401 and "not one of" in await r.text()
        async with s.post(f"{proxy.url}/status/login", data={"key": "nope"}) as r:
            assert r.status == 401
        async with s.get(f"{proxy.url}/livez") as r:  # health stays open
            assert r.status == 200
        # the login form sets an HttpOnly cookie and sends the browser home
        async with s.post(f"{proxy.url}/status/login", data={"key": "s3cret"}, allow_redirects=False) as r:
            assert r.status == 303 and r.headers["Location"] == "/"
            cookie = r.headers["Set-Cookie"]
            assert "ctxproxy_key=s3cret" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
        async with s.get(f"{proxy.url}/") as r:
            assert r.status == 200 and "/status/static/status.js" in await r.text()
            assert "default-src 'self'" in r.headers["Content-Security-Policy"]
        async with s.get(f"{proxy.url}/status.json") as r:
            assert r.status == 200
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as s:
        async with s.get(f"{proxy.url}/?key=s3cret", allow_redirects=False) as r:  # a bookmarked link
            assert r.status == 303 and "ctxproxy_key=s3cret" in r.headers["Set-Cookie"]
    basic = base64.b64encode(b"ops:s3cret").decode()
    await _json(f"{proxy.url}/status.json", headers={"Authorization": f"Basic {basic}"})
    await _json(f"{proxy.url}/status.json", headers={"x-ctxproxy-key": "s3cret"})
    async with aiohttp.ClientSession() as s, s.get(f"{proxy.url}/status/static/status.js") as r:
        assert r.status == 200 and "lineChart" in await r.text()  # assets need no key


async def test_page_open_without_keys(proxy: Any) -> None:
    async with aiohttp.ClientSession() as s, s.get(f"{proxy.url}/") as r:
        assert r.status == 200 and "<title>ctxproxy status</title>" in await r.text()
    data = await _json(f"{proxy.url}/status.json")
    assert data["series"]["agents"] == {} and data["stats"]["total"]["requests"] == 0


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server not installed")
async def test_window_kept_in_redis_across_replicas_and_restarts(
    tmp_path: Any,
    redis_url: str,  # noqa: F811
) -> None:
    storage = {"backend": "redis", "url": redis_url}
    async with OpenAIChatFake(window=12_000, script=tool_loop(10_000, "read_file")) as fake:
        settings = status_settings(fake.base_url, tmp_path, storage=storage)
        first = await start_app(create_app(settings))
        sent = sum((await run_session(first.url, turns=6, pause_s=0.05)).values())
        await first.runner.cleanup()  # the last buckets are flushed on the way out
        kv = RedisKV(redis_url)
        assert await kv.get(SERIES_KEY)
        await kv.close()
        second = await start_app(create_app(settings))  # a restart (or another replica)
        try:
            data = await _json(f"{second.url}/status.json")
        finally:
            await second.runner.cleanup()
    assert data["shared_store"] is True
    assert sum(sum(a["requests"]) for a in data["series"]["agents"].values()) == sent
    assert data["stats"]["total"]["requests"] == 0  # /stats stays per process
