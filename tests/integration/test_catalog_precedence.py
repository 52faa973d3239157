"""Which value a refreshed catalog answers with: the native lists over LiteLLM's where the
fixtures deliberately disagree with LiteLLM 1.106.2, models.dev over LiteLLM, overrides over all
(scoped to an upstream or global), and learned limits that only lower and persist.

Each test refreshes a real :class:`~proxy.catalog.Catalog` against the fake providers
(``server``, a fixture of the integration conftest).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fakes.catalog_server import FakeCatalogServer
from tests.integration.catalogkit import make


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
