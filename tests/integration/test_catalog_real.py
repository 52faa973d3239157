"""The catalog on the real documents (models.dev api.json, an OpenRouter list; see
tests/data/README.md) — one regression test per defect."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from proxy.catalog.switches import RequestTraits
from tests.catalog_real import LOCAL, OPENAI_COMPLETION_IDS, RealSetup, coverage, real_catalog

BETA = RequestTraits(anthropic_beta=frozenset({"context-1m-2025-08-07"}))
SPELLINGS = (
    "claude-sonnet-4.5",
    "anthropic/claude-sonnet-4.5",
    "anthropic/claude-sonnet-4.5:free",
    "claude-sonnet-4-5",
    "claude-sonnet-4-5-20250929",
)


@pytest.fixture
async def keyless(tmp_path: Path) -> AsyncIterator[RealSetup]:
    """A first start without provider keys (a pass-through deployment)."""
    setup = await real_catalog(str(tmp_path))
    yield setup
    await setup.close()


@pytest.fixture
async def keyed(tmp_path: Path) -> AsyncIterator[RealSetup]:
    """OpenAI's and Groq's native lists (derived from models.dev: no type field)."""
    setup = await real_catalog(
        str(tmp_path),
        keys={"OPENAI_API_KEY": "k", "GROQ_API_KEY": "k"},
        providers=["openai", "groq", "openrouter"],
    )
    yield setup
    await setup.close()


# 1 + 2: every Anthropic spelling → one model, 200,000; 1,000,000 with the beta header ------
async def test_anthropic_spellings_one_model_200k_and_1m_with_beta(keyless: RealSetup) -> None:
    cat = keyless.catalog
    for upstream in ("anthropic", None):
        infos = [cat.lookup(s, upstream) for s in SPELLINGS]
        assert [i.context_window for i in infos] == [200_000] * len(SPELLINGS), upstream
        assert {i.source for i in infos} <= {"models_dev", "litellm", "litellm_bundled"}
        assert len({i.id for i in infos[:4]}) == 1  # the undated spellings are one model
        assert all(i.provider == "anthropic" for i in infos)
        with_beta = [cat.lookup(s, upstream, BETA) for s in SPELLINGS]
        assert [i.context_window for i in with_beta] == [1_000_000] * len(SPELLINGS)
        assert with_beta[0].source == "request:anthropic-beta=context-1m-*"
    # Other beta flags change nothing; models that serve 1M anyway or that Anthropic does not
    # document for the switch keep their own window.
    other = RequestTraits(anthropic_beta=frozenset({"prompt-caching-2024-07-31"}))
    assert cat.lookup("claude-sonnet-4-5", "anthropic", other).context_window == 200_000
    assert cat.lookup("claude-haiku-4-5", "anthropic", BETA).context_window == 200_000
    assert cat.lookup("claude-sonnet-4-20250514", "anthropic", BETA).context_window == 1_000_000
    # Sonnet 4: OpenRouter says 1 M for its own endpoint; Anthropic's Sonnet 4 is 200 k.
    for spelling in ("claude-sonnet-4", "anthropic/claude-sonnet-4", "claude-sonnet-4-0"):
        assert cat.lookup(spelling, "anthropic").context_window == 200_000, spelling
        assert cat.lookup(spelling, "anthropic", BETA).context_window == 1_000_000, spelling
    # OpenRouter's own endpoint (its own id) keeps OpenRouter's figure.
    routed = cat.lookup("anthropic/claude-sonnet-4.5", "openrouter")
    assert (routed.context_window, routed.source) == (1_000_000, "native:openrouter")


# 3: non-chat models typed from LiteLLM's mode / models.dev's modalities -------------------
async def test_non_chat_models_not_typed_chat(keyed: RealSetup) -> None:
    cat = keyed.catalog
    for model in OPENAI_COMPLETION_IDS:
        info = cat.lookup(model, "openai")
        assert info.listed and info.type == "completion", model
    for model in ("canopylabs/orpheus-v1-english", "canopylabs/orpheus-arabic-saudi"):
        info = cat.lookup(model, "groq")
        assert info.listed and info.type == "audio", model
    assert cat.lookup("whisper-large-v3", "groq").type == "audio"
    assert cat.lookup("text-embedding-3-small", "openai").type == "embedding"
    assert cat.lookup("gpt-4.1", "openai").type == "chat"
    named = {*OPENAI_COMPLETION_IDS, "canopylabs/orpheus-v1-english", "canopylabs/orpheus-arabic-saudi"}
    offered_chat = {m.id for m in cat.offered() if m.type == "chat"}
    assert not named & offered_chat


# 4: a bare id or an upstream never picks another serving platform's row -------------------
async def test_bare_id_not_taken_from_openrouter_list(keyless: RealSetup) -> None:
    # OpenRouter's native list offers openai/gpt-4.1; OpenAI's list is not at hand.
    gpt = keyless.catalog.lookup("gpt-4.1")
    assert gpt.provider == "openai" and gpt.upstream is None and gpt.source == "models_dev"
    assert keyless.catalog.lookup("openai/gpt-4.1", "openrouter").upstream == "openrouter"


async def test_bare_ids_and_upstreams_resolve_to_their_provider(keyed: RealSetup) -> None:
    cat = keyed.catalog
    gpt = cat.lookup("gpt-4.1")
    assert gpt.provider == "openai" and gpt.upstream == "openai"
    llama = cat.lookup("llama-3.3-70b-versatile", "openrouter")
    assert llama.upstream != "groq" and llama.provider != "groq" and llama.unknown
    assert cat.lookup("llama-3.3-70b-versatile", "groq").upstream == "groq"
    # A vendor's model sent to another upstream uses the vendor's entry (here its native row).
    borrowed = cat.lookup("gpt-4.1", "groq")
    assert borrowed.provider == "openai" and not borrowed.unknown and borrowed.context_window == 1_047_576
    assert cat.lookup("gpt-4.1", "some-vllm-box").provider == "openai"
    assert cat.lookup("claude-sonnet-4-5", "openrouter").provider in ("anthropic", "openrouter")


# 5: failed sources are not named in a changelog entry --------------------------------------
async def test_failed_sources_not_named_in_changes(tmp_path: Path) -> None:
    setup = await real_catalog(str(tmp_path), refresh=False)
    try:
        setup.server.fault("models_dev", "500")
        diff = await setup.catalog.refresh()
        assert "models_dev" in diff.errors and "models_dev" not in diff.sources
        entry = setup.catalog.changes()[-1]
        assert "models_dev" not in entry["sources"] and "openrouter" in entry["sources"]
    finally:
        await setup.close()


# 6: local servers not running are quiet; gemini and google share one fetch ----------------
async def test_local_servers_not_running_are_quiet(tmp_path: Path) -> None:
    setup = await real_catalog(
        str(tmp_path), refresh=False, providers=["openai", "vllm", "ollama", "lmstudio"]
    )
    try:
        await setup.server.close()  # every local server (and everything else) is now down
        for name in LOCAL:
            src = next(s for s in setup.catalog.sources() if s.name == f"native:{name}")
            assert src.local and not src.expected
        with capture_logs() as logs:
            first = await setup.catalog.refresh("vllm")
            second = await setup.catalog.refresh("vllm")
        assert first.errors == {} and first.not_running == ["native:vllm"]
        assert second.errors == {}
        events = [e for e in logs if e.get("source") == "native:vllm"]
        assert [e["event"] for e in events] == ["catalog_local_not_running"]
        assert events[0]["log_level"] == "info"
        failed = await setup.catalog.refresh("models_dev")  # a third-party catalog should work
        assert "models_dev" in failed.errors
    finally:
        await setup.catalog.close()


# 8: an unknown model gets a conservative default and says so --------------------------------
async def test_unknown_model_conservative_and_says_unknown(keyless: RealSetup) -> None:
    info = keyless.catalog.lookup("gpt-3.5-turbo-0301", "openai")
    assert info.unknown and info.source == "unknown"
    assert info.context_window <= 4096  # its real window was 4,096


# Targets: coverage of every provider's listed chat models ------------------------------------
@pytest.mark.parametrize("keys", [False, True], ids=["first-start-no-keys", "native-lists"])
async def test_coverage_of_listed_chat_models(tmp_path: Path, keys: bool) -> None:
    from tests.catalog_real import every_key

    setup = await real_catalog(str(tmp_path), keys=every_key() if keys else {})
    try:
        upstreams = [u for u in setup.providers if u not in LOCAL]
        rows = coverage(setup.catalog, upstreams)
        assert {r.upstream for r in rows} == set(upstreams)
        for row in rows:
            assert row.chat > 0, row.upstream
            assert row.share >= 0.95, (row.upstream, row.missing)
            assert "unknown" not in row.sources
    finally:
        await setup.close()


async def test_gemini_and_google_share_one_fetch(tmp_path: Path) -> None:
    from proxy.catalog import Catalog
    from proxy.config import settings_from_dict
    from tests.fakes.catalog_config import catalog_config
    from tests.fakes.catalog_server import FakeCatalogServer

    server = await FakeCatalogServer().start()
    try:
        config = catalog_config(server, str(tmp_path), ["gemini"], sources=["native"])
        config["upstreams"]["google"] = {
            **config["upstreams"]["gemini"],
            "api": "gemini",
            "provider": "gemini",
        }
        cat = Catalog(settings_from_dict(config), environ={"GEMINI_API_KEY": "k"})
        await cat.start()
        assert [s.name for s in cat.sources()] == ["native:gemini"] and cat.shared == {
            "native:google": "native:gemini"
        }
        diff = await cat.refresh("google")  # refreshing either upstream fetches the one list
        assert diff.errors == {} and server.hits["gemini"] == 2  # two pages, once
        assert cat.lookup("gemini-2.5-flash-lite", "google").listed
        assert cat.lookup("gemini-2.5-flash-lite", "gemini").listed
        status = {s["source"]: s for s in cat.source_status()}
        assert status["native:google"]["shares"] == "native:gemini" and status["native:google"]["models"] > 0
        await cat.close()
    finally:
        await server.close()
