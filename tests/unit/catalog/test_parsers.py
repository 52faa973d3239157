"""Every provider fixture parsed into the right ids, limits, prices (USD/token) and types."""

from __future__ import annotations

from typing import Any

import pytest

from proxy.catalog.model import SourceModel
from proxy.catalog.sources import native_registry
from proxy.catalog.sources.base import NativeConfig
from proxy.catalog.sources.fireworks import pricing_feed
from proxy.catalog.sources.openrouter import parse_openrouter
from tests.fakes.catalog_docs import extra, load_fixture


def parse(provider: str, body: Any = None) -> dict[str, SourceModel]:
    cls = native_registry()[provider]
    source = cls(NativeConfig(provider, provider, "http://x", "http://x/models"))
    doc = load_fixture(provider)
    return {m.id: m for m in source.parse(doc["response"] if body is None else body)}


def test_openai_ids_only_and_typed() -> None:
    models = parse("openai")
    assert set(models) >= {"gpt-5", "gpt-5-2025-08-07", "o3", "ft:gpt-4.1-mini:acme::A1b2C3d4"}
    assert models["gpt-5"].context_window is None
    assert models["text-embedding-3-small"].type == "embedding"
    # The OpenAI list has no type field: the parser says only what the id plainly names and
    # leaves the rest to LiteLLM's mode / models.dev's modalities (merge.py).
    assert models["o3"].type is None


def test_anthropic_limits_and_capabilities() -> None:
    models = parse("anthropic")
    sonnet = models["claude-sonnet-4-5-20250929"]
    assert (sonnet.context_window, sonnet.max_input_tokens, sonnet.max_output_tokens) == (
        200000,
        200000,
        64000,
    )
    assert sonnet.vision is True and sonnet.reasoning is True
    assert models["claude-opus-4-6"].context_window == 1_000_000
    page2 = parse("anthropic", extra(load_fixture("anthropic"), "page2"))
    assert page2["claude-opus-4-1-20250805"].max_output_tokens == 32000


def test_anthropic_zero_limit_is_unknown() -> None:
    body = {"data": [{"id": "claude-x", "max_input_tokens": 0, "max_tokens": 0}], "has_more": False}
    model = parse("anthropic", body)["claude-x"]
    assert model.context_window is None and model.max_output_tokens is None


def test_xai_prices_from_cents_per_100m_tokens() -> None:
    grok = parse("xai")["grok-4.3"]
    assert grok.input_cost == pytest.approx(3e-6)  # 30000 ¢ / 100M tok = $3 / 1M
    assert grok.output_cost == pytest.approx(15e-6)
    assert grok.cached_input_cost == pytest.approx(0.75e-6)
    assert grok.context_window is None
    assert "grok-4.3-latest" in grok.aliases and grok.vision is True


def test_groq_context_and_non_chat() -> None:
    models = parse("groq")
    assert models["openai/gpt-oss-120b"].context_window == 131072
    assert models["openai/gpt-oss-120b"].max_output_tokens == 65536
    assert models["whisper-large-v3-turbo"].type == "audio"


def test_nebius_placeholder_and_prices() -> None:
    models = parse("nebius")
    assert models["moonshotai/Kimi-K2.7-Code"].context_window is None  # 8000 = placeholder
    assert models["Qwen/Qwen3-235B-A22B-Instruct-2507"].context_window == 262144
    assert models["openai/gpt-oss-120b"].input_cost == pytest.approx(1.5e-7)
    assert models["openai/gpt-oss-120b"].tools is True
    assert models["Qwen/Qwen3-Embedding-8B"].type == "embedding"
    assert models["Qwen/Qwen2.5-VL-72B-Instruct"].vision is True


def test_gemini_strips_models_prefix_and_types_embeddings() -> None:
    models = parse("gemini")
    pro = models["gemini-2.5-pro"]
    assert (pro.context_window, pro.max_input_tokens, pro.max_output_tokens) == (1048576, 1048576, 65536)
    assert pro.reasoning is True
    assert models["gemini-embedding-001"].type == "embedding"
    assert not any(i.startswith("models/") for i in models)


def test_mistral_dedupes_alias_rows() -> None:
    models = parse("mistral")
    assert "mistral-medium-latest" not in models
    medium = models["mistral-medium-2508"]
    assert set(medium.aliases) >= {"mistral-medium-latest", "mistral-medium"}
    assert models["codestral-latest"].context_window == 256000
    assert "codestral-2508" in models["codestral-latest"].aliases
    assert models["mistral-embed"].type == "embedding"


def test_deepseek_ids_only() -> None:
    models = parse("deepseek")
    assert set(models) == {"deepseek-chat", "deepseek-reasoner", "deepseek-v4-flash"}
    assert all(m.context_window is None for m in models.values())


def test_together_bare_array_and_per_million_prices() -> None:
    models = parse("together")
    llama = models["meta-llama/Llama-3.3-70B-Instruct-Turbo"]
    assert llama.context_window == 131072
    assert llama.input_cost == pytest.approx(0.88e-6)
    assert models["BAAI/bge-large-en-v1.5"].type == "embedding"
    assert models["black-forest-labs/FLUX.1-schnell"].type == "image"


def test_fireworks_models_and_pricing_feed() -> None:
    models = parse("fireworks")
    gpt = models["accounts/fireworks/models/gpt-oss-120b"]
    assert gpt.context_window == 131072 and gpt.tools is True
    assert models["accounts/fireworks/models/qwen2p5-vl-32b-instruct"].vision is True
    prices = pricing_feed(extra(load_fixture("fireworks"), "GET https://api.fireworks.ai/v1/serverless"))
    assert prices["accounts/fireworks/models/gpt-oss-120b"]["input_cost"] == pytest.approx(0.15e-6)
    assert prices["accounts/fireworks/models/gpt-oss-120b"]["cached_input_cost"] == pytest.approx(0.075e-6)


def test_cerebras_public_catalog() -> None:
    gpt = parse("cerebras")["gpt-oss-120b"]
    assert (gpt.context_window, gpt.max_output_tokens) == (131072, 40960)
    assert gpt.input_cost == pytest.approx(0.35e-6) and gpt.reasoning is True


def test_openrouter_variable_price_is_none() -> None:
    models = {m.id: m for m in parse_openrouter(load_fixture("openrouter")["response"])}
    assert models["openrouter/auto"].input_cost is None  # "-1" = variable
    assert models["anthropic/claude-sonnet-4.5"].max_output_tokens == 64000
    assert models["anthropic/claude-sonnet-4.5"].cached_input_cost == pytest.approx(3e-7)
    assert models["google/gemma-3-27b-it:free"].input_cost == 0.0
    assert models["openai/gpt-oss-120b"].tools is True


def test_vllm_served_limit() -> None:
    models = parse("vllm")
    assert models["Qwen/Qwen3-30B-A3B-Instruct-2507"].context_window == 65536
    assert models["sql-lora"].context_window == 65536


def test_lmstudio_loaded_instance_wins_over_max() -> None:
    models = parse("lmstudio")
    assert models["qwen/qwen3-coder-30b"].context_window == 32768  # loaded with 32k of 262k
    assert models["google/gemma-3-4b"].context_window == 131072  # not loaded: model max
    assert models["text-embedding-nomic-embed-text-v1.5"].type == "embedding"


def test_malformed_shapes_raise_fetch_error() -> None:
    from proxy.catalog.fetch import FetchError

    with pytest.raises(FetchError):
        parse("groq", {"object": "list"})
    with pytest.raises(FetchError):
        parse("together", {"data": []})
