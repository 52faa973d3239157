"""Every native source against the fake provider endpoints: paths, auth, pagination."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from proxy.catalog import Catalog
from proxy.config import settings_from_dict
from tests.fakes.catalog_config import UPSTREAMS, all_keys, catalog_config
from tests.fakes.catalog_server import FakeCatalogServer


@pytest.fixture
async def server() -> AsyncIterator[FakeCatalogServer]:
    srv = await FakeCatalogServer(slow_s=3).start()
    yield srv
    await srv.close()


async def refreshed(server: FakeCatalogServer, tmp_path: Path, providers: list[str], **kw: object) -> Catalog:
    settings = settings_from_dict(catalog_config(server, str(tmp_path), providers, **kw))  # type: ignore[arg-type]
    catalog = Catalog(settings, environ=all_keys())
    await catalog.start()
    diff = await catalog.refresh()
    assert diff.errors == {}
    return catalog


async def test_every_provider_lists_its_models(server: FakeCatalogServer, tmp_path: Path) -> None:
    catalog = await refreshed(server, tmp_path, list(UPSTREAMS))
    ids = {(m.upstream, m.id) for m in catalog.models()}
    expected = {
        ("openai", "gpt-5"),
        ("anthropic", "claude-opus-4-1-20250805"),  # page 2
        ("xai", "grok-code-fast-1"),
        ("groq", "openai/gpt-oss-120b"),
        ("nebius", "Qwen/Qwen3-235B-A22B-Instruct-2507"),
        ("gemini", "gemini-2.5-flash-lite"),  # page 2
        ("mistral", "codestral-latest"),
        ("deepseek", "deepseek-v4-flash"),
        ("together", "moonshotai/Kimi-K2-Instruct-0905"),
        ("fireworks", "accounts/fireworks/models/qwen2p5-vl-32b-instruct"),  # page 2 of 2
        ("cerebras", "zai-glm-4.7"),
        ("openrouter", "openrouter/auto"),
        ("vllm", "sql-lora"),
        ("ollama", "qwen3:32b"),
        ("lmstudio", "google/gemma-3-4b"),
    }
    assert expected <= ids
    assert len(catalog.models("mistral")) == 4  # 5 rows, one alias duplicate
    await catalog.close()


async def test_pagination_follows_every_page(server: FakeCatalogServer, tmp_path: Path) -> None:
    catalog = await refreshed(server, tmp_path, ["anthropic", "gemini", "fireworks"])
    assert len(catalog.models("anthropic")) == 4  # 3 + 1 via after_id
    assert len(catalog.models("gemini")) == 5  # 4 + 1 via pageToken
    assert len(catalog.models("fireworks")) == 3  # pages of 2 via pageToken
    assert server.hits["anthropic"] == 2 and server.hits["gemini"] == 2
    assert server.hits["fireworks"] == 3  # 2 list pages + the pricing feed
    gpt = catalog.lookup("accounts/fireworks/models/gpt-oss-120b")
    assert gpt.upstream == "fireworks" and gpt.pricing.input == pytest.approx(0.15e-6)
    await catalog.close()


async def test_auth_headers_per_provider(server: FakeCatalogServer, tmp_path: Path) -> None:
    catalog = await refreshed(server, tmp_path, ["anthropic", "gemini", "groq", "ollama"])
    assert server.auth["anthropic"] == {"x-api-key": "test-anthropic"}
    assert server.auth["gemini"] == {"x-goog-api-key": "test-gemini"}
    assert server.auth["groq"] == {"authorization": "Bearer test-groq"}
    assert server.auth["ollama"] == {}
    await catalog.close()


async def test_sources_without_keys_are_skipped(server: FakeCatalogServer, tmp_path: Path) -> None:
    settings = settings_from_dict(catalog_config(server, str(tmp_path), ["groq", "cerebras", "vllm"]))
    catalog = Catalog(settings, environ={})
    await catalog.start()
    assert "native:groq" in catalog.skipped
    diff = await catalog.refresh()
    assert set(diff.sources) == {"native:cerebras", "native:vllm"}  # public / local: no key needed
    assert server.hits["groq"] == 0
    with pytest.raises(ValueError, match="no key"):
        await catalog.refresh("groq")
    await catalog.close()


async def test_served_limits_win(server: FakeCatalogServer, tmp_path: Path) -> None:
    catalog = await refreshed(server, tmp_path, ["ollama", "lmstudio", "vllm"])
    qwen = catalog.lookup("qwen3:32b", "ollama")
    assert qwen.context_window == 4096 and qwen.source == "native:ollama"  # /api/ps, not 40960
    assert qwen.capabilities.tools is True
    assert catalog.lookup("qwen/qwen3-coder-30b", "lmstudio").context_window == 32768
    assert catalog.lookup("Qwen/Qwen3-30B-A3B-Instruct-2507", "vllm").context_window == 65536
    await catalog.close()


async def test_generic_openai_compatible_upstream(server: FakeCatalogServer, tmp_path: Path) -> None:
    config = catalog_config(server, str(tmp_path), ["groq"])
    config["upstreams"]["myserver"] = {"base_url": server.base("vllm") + "/v1", "api": "openai"}
    catalog = Catalog(settings_from_dict(config), environ=all_keys())
    await catalog.start()
    await catalog.refresh("myserver")
    info = catalog.lookup("Qwen/Qwen3-30B-A3B-Instruct-2507", "myserver")
    assert info.upstream == "myserver" and info.context_window == 65536  # max_model_len read generically
    await catalog.close()
