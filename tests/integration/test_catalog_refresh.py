"""Refresh semantics against the fake providers: precedence conflicts, faults, removal,
changelog, metrics, webhook, learned limits, LiteLLM remote validation, shared state."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from proxy.catalog import Catalog
from proxy.config import settings_from_dict
from proxy.observability.metrics import Metrics
from proxy.storage import MemoryKV
from tests.fakes.catalog_config import all_keys, catalog_config
from tests.fakes.catalog_server import FakeCatalogServer


@pytest.fixture
async def server() -> AsyncIterator[FakeCatalogServer]:
    srv = await FakeCatalogServer(slow_s=3).start()
    yield srv
    await srv.close()


async def make(
    server: FakeCatalogServer,
    tmp_path: Path,
    providers: list[str],
    *,
    metrics: Metrics | None = None,
    **kw: Any,
) -> Catalog:
    catalog = Catalog(
        settings_from_dict(catalog_config(server, str(tmp_path), providers, **kw)),
        metrics=metrics,
        environ=all_keys(),
    )
    await catalog.start()
    return catalog


# -- precedence: the fixtures' deliberate disagreements with LiteLLM 1.106.2 ---------------


async def test_precedence_conflicts_from_fixtures(server: FakeCatalogServer, tmp_path: Path) -> None:
    providers = ["mistral", "xai", "cerebras", "nebius", "groq", "anthropic", "gemini", "openrouter"]
    catalog = await make(server, tmp_path, providers)
    # Before any refresh, LiteLLM's bundled values answer.
    assert catalog.lookup("codestral-latest", "mistral").context_window == 128000
    assert (await catalog.refresh()).errors == {}

    codestral = catalog.lookup("codestral-latest", "mistral")
    assert (codestral.context_window, codestral.source) == (256000, "native:mistral")
    assert codestral.max_input_tokens is None  # LiteLLM's 128000 does not cap the native window
    assert catalog.lookup("mistral/codestral-2508").context_window == 256000  # via alias

    grok = catalog.lookup("grok-4.3", "xai")
    assert grok.pricing.input == pytest.approx(3e-6) and grok.pricing.output == pytest.approx(15e-6)
    assert grok.provenance["input_cost"].source == "native:xai"
    assert grok.context_window == 1_000_000 and grok.source == "litellm_bundled"  # xAI lists no window

    gpt_oss = catalog.lookup("gpt-oss-120b", "cerebras")
    assert (
        gpt_oss.max_output_tokens == 40960
        and gpt_oss.provenance["max_output_tokens"].source == "native:cerebras"
    )

    kimi = catalog.lookup("moonshotai/Kimi-K2.7-Code", "nebius")
    assert kimi.context_window != 8000 and kimi.source != "native:nebius"  # placeholder ignored

    groq = catalog.lookup("openai/gpt-oss-120b", "groq")
    assert (groq.context_window, groq.max_output_tokens, groq.source) == (131072, 65536, "native:groq")
    sonnet = catalog.lookup("claude-sonnet-4-5-20250929", "anthropic")
    assert (sonnet.context_window, sonnet.max_output_tokens, sonnet.source) == (
        200000,
        64000,
        "native:anthropic",
    )
    pro = catalog.lookup("models/gemini-2.5-pro", "gemini")
    assert (pro.context_window, pro.max_output_tokens, pro.source) == (1048576, 65536, "native:gemini")

    auto = catalog.lookup("openrouter/auto", "openrouter")
    assert auto.pricing.input is None and auto.pricing.output is None and auto.source == "native:openrouter"
    await catalog.close()


async def test_models_dev_beats_litellm_and_override_beats_all(
    server: FakeCatalogServer, tmp_path: Path
) -> None:
    overrides = {
        "deepseek/deepseek-reasoner": {"context_window": 64000},
        "my-model": {"context_window": 9000},
    }
    catalog = await make(
        server, tmp_path, ["deepseek"], sources=["native", "models_dev"], overrides=overrides
    )
    await catalog.refresh()
    chat = catalog.lookup("deepseek-chat", "deepseek")
    assert (chat.context_window, chat.source) == (128000, "models_dev")  # LiteLLM says 131072
    assert catalog.lookup("deepseek-v4-flash", "deepseek").context_window == 1_000_000
    reasoner = catalog.lookup("deepseek-reasoner", "deepseek")
    assert (reasoner.context_window, reasoner.source) == (64000, "override")
    mine = catalog.lookup("my-model")
    assert (mine.context_window, mine.source, mine.unknown) == (9000, "override", False)
    await catalog.close()


# -- faults never lose the last good list ---------------------------------------------------


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


# -- availability and the changelog -------------------------------------------------------


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


# -- learned limits -----------------------------------------------------------------------


async def test_learned_limits_only_lower_and_persist(server: FakeCatalogServer, tmp_path: Path) -> None:
    catalog = await make(server, tmp_path, ["groq"])
    await catalog.refresh()
    catalog.learn_limit("openai/gpt-oss-120b", "groq", 200000)  # higher: ignored
    assert catalog.lookup("openai/gpt-oss-120b", "groq").source == "native:groq"
    catalog.learn_limit("openai/gpt-oss-120b", "groq", 120000)
    catalog.learn_limit("openai/gpt-oss-120b", "groq", 125000)  # higher than learned: ignored
    info = catalog.lookup("openai/gpt-oss-120b", "groq")
    assert (info.context_window, info.source) == (120000, "learned")
    # Scoped to that upstream: the same id elsewhere keeps its own value.
    assert catalog.lookup("gpt-4o").context_window == 128000
    catalog.learn_limit("gpt-4o", "groq", 64000)
    assert catalog.lookup("gpt-4o", "groq").context_window == 64000
    assert catalog.lookup("gpt-4o").context_window == 128000
    await catalog.close()

    again = await make(server, tmp_path, ["groq"])  # from the snapshot, no refresh
    assert again.lookup("openai/gpt-oss-120b", "groq").context_window == 120000
    assert again.lookup("gpt-4o", "groq").context_window == 64000
    await again.refresh()  # a refresh does not undo it
    assert again.lookup("openai/gpt-oss-120b", "groq").source == "learned"
    await again.close()


# -- LiteLLM's remote map -----------------------------------------------------------------


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


# -- replicas sharing a store -------------------------------------------------------------


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


# -- conditional GETs and coalesced background rebuilds -------------------------------------


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


async def test_sources_report_measures_third_parties(server: FakeCatalogServer, tmp_path: Path) -> None:
    from proxy.catalog.report import evaluate

    catalog = await make(server, tmp_path, ["deepseek", "xai", "mistral"], sources=["native", "models_dev"])
    await catalog.refresh()
    report = evaluate(catalog.states())
    # 3 deepseek + 3 xai + 4 mistral rows, of which mistral-embed is not a chat model.
    assert report["native_chat_models"] == 9
    dev = report["sources"]["models_dev"]
    assert dev["coverage"] == round(4 / 9, 3)  # deepseek-chat, deepseek-v4-flash, grok-4.3, codestral-latest
    assert dev["with_context_window"] == 1.0
    assert dev["fills_gaps"] == 3  # the deepseek and xai lists have no window
    assert dev["disagreements"] == 1
    assert dev["disagreement_examples"] == [
        {
            "upstream": "mistral",
            "id": "codestral-latest",
            "field": "context_window",
            "native": 256000,
            "source": 128000,
        }
    ]
    assert dev["per_provider"]["deepseek"] == {
        "models": 3,
        "covered": 2,
        "with_context": 2,
        "coverage": 0.667,
    }
    bundled = report["sources"]["litellm_bundled"]
    assert bundled["coverage"] is not None and bundled["age_s"] is not None
    await catalog.close()


async def test_override_keys_scoped_or_global(server: FakeCatalogServer, tmp_path: Path) -> None:
    overrides = {
        "groq/llama-3.1-8b-instant": {"context_window": 8000},  # only on the groq upstream
        "gpt-4o": {"max_output_tokens": 1000},  # the id wherever it resolves
        "my-org/my-model": {"context_window": 12345, "input_cost_per_token": 1e-6, "tools": True},
    }
    catalog = await make(server, tmp_path, ["groq", "cerebras"], overrides=overrides)
    await catalog.refresh()
    assert catalog.lookup("llama-3.1-8b-instant", "groq").context_window == 8000
    assert catalog.lookup("llama3.1-8b", "cerebras").context_window == 32768
    four_o = catalog.lookup("gpt-4o")
    assert (four_o.context_window, four_o.max_output_tokens) == (128000, 1000)
    assert four_o.provenance["max_output_tokens"].source == "override"
    mine = catalog.lookup("my-org/my-model")
    assert (mine.context_window, mine.pricing.input, mine.capabilities.tools) == (12345, 1e-6, True)
    assert not mine.unknown
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
