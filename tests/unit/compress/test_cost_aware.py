"""Cost-aware early compaction (``cost_aware``, on by default): between the target and the
trigger, a request is compacted when the model family's cache prices say it pays over the
turns to come."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from proxy.compress import Compactor, Limits, TokenCounter
from proxy.compress.cost import cache_ratios
from proxy.compress.policy import CachePrices, compaction_pays, earlier_is_cheaper
from proxy.config import load_settings
from proxy.storage import MemoryKV
from tests.unit.compress.convgen import RENDER, Turn, filler

COUNTER = TokenCounter()
LIMITS = Limits(24_000, None, None)  # budget 24,000 − 4,096 output − 720 margin = 19,184
OPENAI, ANTHROPIC = CachePrices(0.5, 1.0), CachePrices(0.1, 1.25)


def test_at_openai_prices_a_deep_compaction_pays_on_its_own_request() -> None:
    # whole: 11,000 read at 0.5 + 1,000 new at 1 = 6,500; compacted: 2,000 read at 0.5 +
    # 3,000 written at 1 = 4,000 — cheaper before any later turn
    assert compaction_pays(OPENAI, size=12_000, newest=1_000, after=5_000, cached=2_000, turns=0)
    # a shallow one (12,000 → 11,500, nothing cached) costs more now and saves little
    assert not compaction_pays(OPENAI, size=12_000, newest=1_000, after=11_500, cached=0, turns=1)


def test_at_anthropic_prices_the_write_premium_is_paid_back_over_later_turns() -> None:
    # whole: 11,000 × 0.1 + 1,000 × 1.25 = 2,350; compacted: 2,000 × 0.1 + 3,000 × 1.25 =
    # 3,950: 1,600 more now; each later turn reads 7,000 fewer tokens: 700 saved
    kw: dict[str, Any] = {"size": 12_000, "newest": 1_000, "after": 5_000, "cached": 2_000}
    assert not compaction_pays(ANTHROPIC, turns=2, **kw)  # 1,400 < 1,600
    assert compaction_pays(ANTHROPIC, turns=3, **kw)  # 2,100 > 1,600


def test_a_conversation_that_grows_fast_waits_for_the_trigger() -> None:
    # Compacting to 4,000 (1,000 of it cached) rewrites 3,000 at 1.25 = 3,750 per cycle.
    # Growing 3,000 a turn: now (at 15,000) costs 3,750 × 3,000 / 11,000 + 0.1 × 9,500 = 1,973
    # a turn; at the trigger (20,000) 3,750 × 3,000 / 16,000 + 0.1 × 12,000 = 1,903: wait.
    kw: dict[str, Any] = {"size": 15_000, "after": 4_000, "cached": 1_000, "trigger": 20_000}
    assert not earlier_is_cheaper(ANTHROPIC, growth=3_000, **kw)
    # Growing 500 a turn: 170 + 950 = 1,120 now against 117 + 1,200 = 1,317 at the trigger.
    assert earlier_is_cheaper(ANTHROPIC, growth=500, **kw)
    # No growth seen yet: the one-off comparison (compaction_pays) decides alone.
    assert earlier_is_cheaper(ANTHROPIC, growth=0, **kw)


def test_the_cache_prices_come_from_the_model_family() -> None:
    assert cache_ratios("anthropic/claude-sonnet-4") == (0.1, 1.25)
    assert cache_ratios("gpt-4o") == (0.5, 1.0)
    assert cache_ratios("my-local-model", "openai-chat") is None  # unknown cache: trigger only
    assert cache_ratios("my-local-model", "anthropic") == (0.1, 1.25)


def tool_loop(outputs: int, words: int) -> list[Turn]:
    turns: list[Turn] = [("user", "Task: fix bug 4711 in src/core/engine.py.")]
    for i in range(outputs):
        turns.append(("tools", [("read_file", f'{{"path": "src/m{i}.py"}}', filler(i, words))], None))
    return turns


async def decide(model: str, script: list[Turn], **compression: Any) -> tuple[dict[str, Any], Any]:
    settings = load_settings(environ={}, overrides={"compression": compression}).compression
    compactor = Compactor(settings, kv=MemoryKV(), counter=COUNTER)
    body = RENDER["openai-chat"](script)
    body["model"] = model
    d = await compactor.decide(orjson.dumps(body), body, "openai-chat", model, LIMITS, "agent-1")
    return body, d


def size(body: dict[str, Any], model: str) -> int:
    return COUNTER.count_request("openai-chat", body, model)


@pytest.mark.parametrize("model", ["gpt-4o", "claude-sonnet-4"])
async def test_between_the_target_and_the_trigger_a_paying_compaction_happens_early(model: str) -> None:
    body, d = await decide(model, tool_loop(14, 720))  # (the default)
    assert 0.55 * 19_184 < size(body, model) < 0.85 * 19_184  # under the trigger, over the target
    assert d.body is not None and d.result is not None
    assert d.result.tokens_after < 0.55 * 19_184  # a compaction drains to the target or deeper
    assert d.body["messages"][-1] == body["messages"][-1]  # the newest turn verbatim


@pytest.mark.parametrize(
    ("model", "settings"),
    [("my-local-model", {}), ("gpt-4o", {"cost_aware": False})],
    ids=["unknown cache prices", "cost_aware off"],
)
async def test_without_cache_prices_or_switched_off_the_trigger_alone_decides(
    model: str, settings: dict[str, Any]
) -> None:
    body, d = await decide(model, tool_loop(14, 720), **settings)
    assert 0.55 * 19_184 < size(body, model) < 0.85 * 19_184
    assert d.body is None  # sent as written


async def test_under_the_target_nothing_is_compacted() -> None:
    body, d = await decide("gpt-4o", tool_loop(6, 600), cost_aware=True)
    assert size(body, "gpt-4o") < 0.55 * 19_184
    assert d.body is None
