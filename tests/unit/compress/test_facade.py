"""The server's one call into the compactor, ``Compactor.decide``: disabled, skipped, compacted,
forced, failed; ``native_plan`` for a Responses chain; the summary destination as data."""

from __future__ import annotations

import dataclasses
from typing import Any

import orjson

from proxy.compress import Compactor, ExtractiveSummarizer, Limits, SummaryRequest, TokenCounter, UpstreamCall
from proxy.compress.limits import input_budget
from proxy.compress.stages import StageContext
from proxy.config import load_settings
from proxy.storage import MemoryKV
from proxy.wire import get_adapter
from tests.unit.compress.test_compactor import tool_session

COUNTER = TokenCounter()
SETTINGS = load_settings(environ={}).compression
BIG = Limits(1_000_000, None, None)
SMALL = Limits(8_000, None, None)


def compactor(settings: Any = SETTINGS, **kw: Any) -> Compactor:
    return Compactor(settings, kv=MemoryKV(), counter=COUNTER, **kw)


async def decide(c: Compactor, body: dict[str, Any], limits: Limits, **kw: Any) -> Any:
    return await c.decide(orjson.dumps(body), body, "openai-chat", "gpt-4o", limits, "agent-1", **kw)


async def test_disabled_policy_counts_nothing() -> None:
    c = compactor(dataclasses.replace(SETTINGS, enabled=False))
    d = await decide(c, tool_session(60), SMALL)
    assert (d.enabled, d.strategy, d.tokens, d.result, d.body) == (False, "balanced", None, None, None)
    assert d.target == c.policy("gpt-4o").target


async def test_under_the_trigger_is_skipped_with_the_estimate() -> None:
    body = tool_session(5)
    d = await decide(compactor(), body, BIG)
    assert d.enabled and d.result is None and d.body is None
    assert d.tokens == await COUNTER.estimate_request("openai-chat", body, "gpt-4o", scope="agent-1")
    assert d.factor == COUNTER.factor("gpt-4o")
    assert d.strategy == "balanced" and d.target == SETTINGS_TARGET


async def test_over_the_trigger_is_compacted_toward_the_policy_target() -> None:
    body = tool_session(60)
    d = await decide(compactor(), body, SMALL)
    assert d.result is not None and d.result.compressed and d.body is d.result.body
    assert d.tokens == d.result.tokens_after < d.result.tokens_before
    assert d.factor == d.result.factor
    assert d.target == SETTINGS_TARGET
    assert d.result.budget == input_budget(
        compactor().policy("gpt-4o"), get_adapter("openai-chat"), body, SMALL
    )


async def test_a_forced_target_compacts_even_under_the_trigger_and_when_disabled() -> None:
    body = tool_session(30)
    for settings in (SETTINGS, dataclasses.replace(SETTINGS, enabled=False)):
        d = await decide(compactor(settings), body, Limits(40_000, None, None), force_target=0.2)
        assert d.result is not None and d.body is not None, settings.enabled
        assert d.target == 0.2
        assert d.result.tokens_after <= int(0.2 * d.result.budget)
    plain = await decide(compactor(), body, Limits(40_000, None, None))
    assert plain.body is None  # the same body, unforced: under the trigger, sent as it is


class ExplodingStage:
    name = "explode"

    async def apply(self, ctx: StageContext) -> None:
        raise RuntimeError("bug")


async def test_a_failing_compaction_is_reported_not_raised() -> None:
    d = await decide(compactor(stages=[ExplodingStage()]), tool_session(60), SMALL)
    assert isinstance(d.failure, RuntimeError)
    assert d.result is None and d.body is None and d.tokens is None
    assert d.enabled and d.target == SETTINGS_TARGET  # a retry can still shrink it


class Recording:
    name = "recording"

    def __init__(self) -> None:
        self.requests: list[SummaryRequest] = []

    async def summarize(self, request: SummaryRequest) -> str:
        self.requests.append(request)
        return await ExtractiveSummarizer().summarize(request)


async def test_the_summary_destination_travels_in_the_summary_request() -> None:
    rec = Recording()
    to = UpstreamCall("http://127.0.0.1:9/v1", "openai", {"Authorization": "Bearer sk-a"}, "cheap")
    d = await decide(compactor(summarizer=rec), tool_session(60), SMALL, summary_to=to)
    assert d.body is not None and rec.requests
    assert all(r.upstream is to for r in rec.requests)
    assert "sk-a" not in repr(to)  # credentials never printed
    rec.requests.clear()
    await decide(compactor(summarizer=rec), tool_session(61), SMALL)
    assert rec.requests and all(r.upstream is None for r in rec.requests)


def test_native_plan_uses_the_one_budget() -> None:
    c = compactor()
    body = {"model": "gpt-4o", "input": "hi", "previous_response_id": "resp_1"}
    limits = Limits(32_000, None, 64_000)
    plan = c.native_plan(body, "openai-responses", "gpt-4o", limits, "a")
    policy = c.policy("gpt-4o", "a")
    assert plan.budget == input_budget(policy, get_adapter("openai-responses"), body, limits)
    assert (plan.trigger, plan.target, plan.strategy) == (policy.trigger, policy.target, policy.strategy)
    edge = plan.trigger * plan.budget
    assert plan.due(int(edge) + 1) and not plan.due(int(edge) - 1)
    off = compactor(dataclasses.replace(SETTINGS, enabled=False))
    assert not off.native_plan(body, "openai-responses", "gpt-4o", limits, "a").due(10**9)


SETTINGS_TARGET = compactor().policy("gpt-4o").target
