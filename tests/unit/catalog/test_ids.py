from proxy.catalog.ids import candidates, index_keys, loose, norm, strip_variant, undated


def test_norm_strips_provider_path_prefixes() -> None:
    assert norm("models/gemini-2.5-pro") == "gemini-2.5-pro"
    assert norm("accounts/fireworks/models/GPT-OSS-120B") == "gpt-oss-120b"
    assert norm("  Qwen/Qwen3-32B ") == "qwen/qwen3-32b"


def test_undated_and_variants() -> None:
    assert undated("claude-sonnet-4-5-20250929") == "claude-sonnet-4-5"
    assert undated("gpt-4o-2024-08-06") == "gpt-4o"
    assert undated("mistral-medium-2508") == "mistral-medium-2508"  # YYMM is a version, kept
    assert strip_variant("google/gemma-3-27b-it:free") == "google/gemma-3-27b-it"
    assert strip_variant("qwen3:32b") == "qwen3:32b"  # Ollama tags are part of the id
    assert strip_variant("llama3.2:latest") == "llama3.2"
    assert loose("claude-sonnet-4.5") == loose("claude-sonnet-4-5")


def test_candidates_give_provider_hints() -> None:
    cands = candidates("groq/openai/gpt-oss-120b")
    assert cands[0] == (None, "groq/openai/gpt-oss-120b")
    assert ("groq", "openai/gpt-oss-120b") in cands
    assert ("fireworks", "gpt-oss-120b") == candidates("accounts/fireworks/models/gpt-oss-120b")[0]
    assert ("anthropic", "claude-sonnet-4.5") in candidates("anthropic/claude-sonnet-4.5:free")
    assert (None, "gpt-4o") in candidates("gpt-4o-2024-08-06")


def test_index_keys_levels() -> None:
    keys = dict(index_keys("claude-sonnet-4-5-20250929", ("claude-sonnet-4-5-latest",)))
    assert keys["claude-sonnet-4-5-20250929"] == 0
    assert keys["claude-sonnet-4-5-latest"] == 1
    assert keys["claude-sonnet-4-5"] == 2
    assert dict(index_keys("openai/gpt-oss-120b"))["gpt-oss-120b"] == 1
