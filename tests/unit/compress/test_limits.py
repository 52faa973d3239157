"""One budget formula for every path: the compactor's and the Responses chain's agree."""

from __future__ import annotations

from proxy.compress.limits import Limits, input_budget, reserved_output
from proxy.compress.policy import PRESETS
from proxy.wire import get_adapter


def test_request_output_limit_counts_in_full() -> None:
    api = get_adapter("openai-responses")
    limits = Limits(32_000, None, 64_000)
    assert reserved_output(api, {"max_output_tokens": 20_000}, limits) == 20_000


def test_catalog_default_is_capped_at_an_eighth_of_the_window() -> None:
    # A 32k window whose model may write 64k: reserving 64k would leave no input room (the
    # budget would fall to its 1/8 floor); the shared formula keeps 7/8 of the window.
    api = get_adapter("openai-responses")
    limits = Limits(32_000, None, 64_000)
    assert reserved_output(api, {}, limits) == 4_000
    policy = PRESETS["balanced"]
    assert input_budget(policy, api, {}, limits) == policy.budget(32_000, None, 4_000)
    assert input_budget(policy, api, {}, limits) > 32_000 * 3 // 4
    # a smaller model default is reserved whole
    assert reserved_output(api, {}, Limits(128_000, None, 4_096)) == 4_096


async def test_compactor_uses_the_same_function() -> None:
    from proxy.compress.compactor import Compactor
    from proxy.config import Settings

    api = get_adapter("anthropic")
    compactor = Compactor(Settings().compression)
    policy = compactor.policy("claude-x")
    body = {"model": "claude-x", "max_tokens": 1000, "messages": [{"role": "user", "content": "hi"}]}
    limits = Limits(200_000, 180_000, 64_000)
    expected = input_budget(policy, api, body, limits)
    result = await compactor.compress(body, "anthropic", "claude-x", limits, force_target=0.5)
    assert result.budget == expected
    plan = compactor.native_plan(body, "anthropic", "claude-x", limits, "a")
    assert plan.budget == expected  # the Responses chain's native compaction: the same budget
