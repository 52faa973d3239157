"""Token counting (offline, memoized, calibrated) and policy resolution."""

from __future__ import annotations

import pytest

from proxy.compress import TokenCounter, resolve_policy
from proxy.compress.encodings import CL100K, O200K, encoding_name_for, litellm_tokenizer_dir
from proxy.config import load_settings

COUNTER = TokenCounter()


def test_encodings_load_from_litellm_files_without_network() -> None:
    assert litellm_tokenizer_dir() is not None
    enc = COUNTER.encoding("gpt-4o")
    assert enc.name == O200K
    assert COUNTER.count_text("hello world", enc) == 2


@pytest.mark.parametrize(
    ("model", "name"),
    [
        ("gpt-4o-mini", O200K),
        ("openai/gpt-5", O200K),
        ("o3-mini", O200K),
        ("gpt-4.1", O200K),
        ("gpt-4.5-preview", O200K),
        ("gpt-oss-120b", O200K),
        ("gpt-6", O200K),  # a model newer than this list: OpenAI's current encoding
        # OpenAI's models from before gpt-4o: cl100k, counted exactly
        ("gpt-4", CL100K),
        ("openai/gpt-4-turbo", CL100K),
        ("gpt-4-0613", CL100K),
        ("gpt-3.5-turbo", CL100K),
        ("azure/gpt-35-turbo", CL100K),
        ("text-embedding-3-small", CL100K),
        ("davinci-002", CL100K),
        # every other family: approximated with o200k times its factor
        ("claude-sonnet-4-5", O200K),
        ("anthropic/claude-3-haiku", O200K),
        ("gemini-2.5-pro", O200K),
        ("gemini/text-embedding-004", O200K),
        ("llama-3.1-70b", O200K),
        ("qwen3-coder", O200K),
        ("my-local-model", O200K),
    ],
)
def test_encoding_per_model_family(model: str, name: str) -> None:
    assert encoding_name_for(model) == name


def test_non_openai_models_get_a_provider_factor() -> None:
    body = {"messages": [{"role": "user", "content": "count these words please " * 50}]}
    gpt = COUNTER.count_request("openai-chat", body, "gpt-4o")
    claude = COUNTER.count_request("openai-chat", body, "claude-sonnet-4-5")
    assert claude > gpt * 1.15


def test_calibration_moves_estimates_towards_provider_usage() -> None:
    counter = TokenCounter()
    body = {"messages": [{"role": "user", "content": "some text " * 100}]}
    before = counter.count_request("openai-chat", body, "my-local-model")
    for _ in range(10):
        counter.calibrate(
            "my-local-model", counter.count_request("openai-chat", body, "my-local-model"), before * 2
        )
    after = counter.count_request("openai-chat", body, "my-local-model")
    assert before * 1.6 < after <= before * 2.1
    assert counter.count_request("openai-chat", body, "other-model") == before  # per model


def test_images_and_tools_are_counted() -> None:
    base = {"messages": [{"role": "user", "content": [{"type": "text", "text": "look"}]}]}
    img = {
        "messages": [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "look"},
                    {"type": "image_url", "image_url": {"url": "u"}},
                ],
            }
        ]
    }
    tools = {**base, "tools": [{"type": "function", "function": {"name": "f", "description": "d " * 100}}]}
    n = COUNTER.count_request("openai-chat", base, "gpt-4o")
    assert COUNTER.count_request("openai-chat", img, "gpt-4o") >= n + 700
    assert COUNTER.count_request("openai-chat", tools, "gpt-4o") >= n + 100


async def test_large_texts_are_counted_off_loop_and_memoized() -> None:
    counter = TokenCounter(offload_chars=1000)
    body = {"messages": [{"role": "user", "content": "word " * 50_000}]}
    n = await counter.acount_request("openai-chat", body, "gpt-4o")
    assert n == counter.count_request("openai-chat", body, "gpt-4o")
    assert counter.uncached_chars(["word " * 50_000], counter.encoding("gpt-4o")) == 0


def test_presets_and_override_layers() -> None:
    s = load_settings(
        environ={},
        overrides={
            "compression": {
                "models": {"gpt-4o*": {"trigger": 0.8}, "claude-x": {"strategy": "conservative"}},
                "agents": {"agent_a": {"strategy": "aggressive", "keep_recent_groups": 7}},
            }
        },
    ).compression
    p = resolve_policy(s, "gpt-5")
    assert (p.strategy, p.trigger, p.target, p.keep_recent_groups) == ("balanced", 0.85, 0.55, 4)
    assert resolve_policy(s, "gpt-4o-mini").trigger == 0.8
    assert resolve_policy(s, "claude-x").target == 0.70
    a = resolve_policy(s, "gpt-4o-mini", "agent_a")
    assert (a.strategy, a.trigger, a.target, a.keep_recent_groups) == ("aggressive", 0.70, 0.30, 7)


def test_summary_share_bounds_per_preset_model_and_agent() -> None:
    s = load_settings(
        environ={},
        overrides={
            "compression": {
                "summary_share": {"max": 0.5},
                "models": {"gpt-4o*": {"summary_share": {"min": 0.1}}},
                "agents": {"tools_bot": {"summary_share": {"max": 0.2}}, "chat": {"strategy": "aggressive"}},
            }
        },
    ).compression
    base = resolve_policy(load_settings(environ={}).compression, "gpt-5")
    assert (base.summary_min, base.summary_max) == (0.05, 0.8)
    assert (resolve_policy(s, "gpt-5").summary_min, resolve_policy(s, "gpt-5").summary_max) == (0.05, 0.5)
    p = resolve_policy(s, "gpt-4o-mini", "tools_bot")
    assert (p.summary_min, p.summary_max) == (0.1, 0.2)
    assert resolve_policy(s, "gpt-5", "chat").summary_max == 0.9  # a strategy layer restarts from its preset


def test_budget_reserves_output_and_margin() -> None:
    p = resolve_policy(load_settings(environ={}).compression, "gpt-4o")
    assert p.budget(128_000, None, 16_000) == 128_000 - 16_000 - 3840
    assert p.budget(200_000, 100_000, 8_000) == 100_000 - 6000


async def test_preflight_estimate_is_incremental_and_notices_a_changed_tail() -> None:
    counter = TokenCounter()
    msgs = [{"role": "system", "content": "s"}] + [
        {"role": "user" if i % 2 else "assistant", "content": f"message number {i} " * 20} for i in range(40)
    ]
    body = {"messages": msgs}
    assert await counter.estimate_request("openai-chat", body, "gpt-4o") == counter.count_request(
        "openai-chat", body, "gpt-4o"
    )
    grown = {
        "messages": [*msgs, {"role": "assistant", "content": "new"}, {"role": "user", "content": "more"}]
    }
    assert await counter.estimate_request("openai-chat", grown, "gpt-4o") == counter.count_request(
        "openai-chat", grown, "gpt-4o"
    )
    rewritten = {
        "messages": [*msgs[:-1], {"role": "user", "content": "a much longer rewritten question " * 50}]
    }
    assert await counter.estimate_request("openai-chat", rewritten, "gpt-4o") == counter.count_request(
        "openai-chat", rewritten, "gpt-4o"
    )
