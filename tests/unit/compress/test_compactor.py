"""Compactor API: stages, fallbacks, state through the KV interface, validators."""

from __future__ import annotations

from typing import Any

import orjson

from proxy.compress import Compactor, Limits, TokenCounter, violations
from proxy.compress.run import stage_context
from proxy.compress.stages import MaskStage
from proxy.config import load_settings
from proxy.storage import MemoryKV
from proxy.wire import get_adapter
from tests.unit.compress.convgen import filler, to_chat
from tests.unit.compress.stagekit import BrokenSummarizer

COUNTER = TokenCounter()
SETTINGS = load_settings(environ={}).compression


def tool_session(n: int, size: int = 300, repeat: bool = False) -> dict[str, Any]:
    script: list[Any] = [("user", "Investigate the outage of 2024-03-02 in /srv/app/server.py.")]
    for i in range(n):
        out = filler(7 if repeat else i, size) + f" see /srv/app/file{i}.py id deadbeef{i:04d}"
        script.append(("tools", [("read_file", f'{{"i": {i}}}', out)], None))
    script.append(("user", "Summarize what you found."))
    return to_chat(script)


def compactor(**kw: Any) -> Compactor:
    return Compactor(SETTINGS, kv=kw.pop("kv", MemoryKV()), counter=COUNTER, **kw)


async def test_masking_keeps_artifacts_and_recent_results_verbatim() -> None:
    body = tool_session(30)
    result = await compactor(stages=[MaskStage()]).compress(
        body, "openai-chat", "gpt-4o", Limits(16_000, None, None)
    )
    assert result.compressed and result.stages[0][0] == "mask"
    sent = result.body
    assert sent is not None
    tools = [m for m in sent["messages"] if m["role"] == "tool"]
    masked = [m for m in tools if m["content"].startswith("[ctxproxy: output of read_file omitted")]
    assert masked and "/srv/app/file0.py" in masked[0]["content"]
    originals = [m for m in body["messages"] if m["role"] == "tool"]
    assert tools[-5:] == originals[-5:]  # keep_tool_results (balanced) = 5


async def test_dedupe_replaces_earlier_identical_outputs() -> None:
    script: list[Any] = [("user", "go")]
    for i in range(12):
        script.append(("tools", [("read_file", "{}", filler(3, 600))], None))
        script.append(("assistant", f"step {i}"))
        script.append(("user", "next"))
    body = to_chat(script)
    result = await compactor().compress(body, "openai-chat", "gpt-4o", Limits(9_000, None, None))
    assert result.stages[0][0] == "dedupe", result
    contents = [m["content"] for m in result.body["messages"] if m["role"] == "tool"]  # type: ignore[index]
    assert contents[-1] == filler(3, 600)
    assert any("duplicate output of tool read_file" in c for c in contents[:-1])


async def test_huge_old_output_is_truncated_head_and_tail() -> None:
    script: list[Any] = [
        ("user", "go"),
        ("tools", [("run", "{}", "HEAD " + filler(1, 12000) + " TAIL")], None),
    ]
    script += [("assistant", f"note {i}") for i in range(1)] + [("user", f"q{i}") for i in range(1)]
    script += [("tools", [("run", "{}", "small")], None) for _ in range(6)] + [("user", "done?")]
    body = to_chat(script)
    result = await compactor().compress(body, "openai-chat", "gpt-4o", Limits(16_000, None, 1000))
    names = [n for n, _ in result.stages]
    assert names[0] == "truncate"
    out = result.body["messages"][3]["content"]  # type: ignore[index]
    assert out.startswith("HEAD") and out.endswith("TAIL") and "ctxproxy cut" in out


async def test_summary_is_anchored_after_the_first_user_message() -> None:
    body = tool_session(60, size=200)
    result = await compactor().compress(body, "openai-chat", "gpt-4o", Limits(8_000, None, None))
    msgs = result.body["messages"]  # type: ignore[index]
    assert msgs[:2] == body["messages"][:2]
    assert msgs[2]["role"] == "user" and msgs[2]["content"].startswith(
        "[ctxproxy: summary of earlier conversation]"
    )
    assert "summarize" in [n for n, _ in result.stages]
    assert msgs[-1] == body["messages"][-1] and result.fits


async def test_force_target_recompresses_tighter_than_policy() -> None:
    body = tool_session(40)
    normal = await compactor().compress(body, "openai-chat", "gpt-4o", Limits(20_000, None, None))
    tight = await compactor().compress(
        body, "openai-chat", "gpt-4o", Limits(20_000, None, None), force_target=0.3
    )
    assert tight.tokens_after <= int(0.3 * tight.budget) < normal.tokens_after


async def test_failing_summarizer_falls_back_to_dropping() -> None:
    body = tool_session(60, size=200)
    result = await compactor(summarizer=BrokenSummarizer()).compress(
        body, "openai-chat", "gpt-4o", Limits(8_000, None, None)
    )
    assert result.fits and "drop" in [n for n, _ in result.stages]
    assert not violations("openai-chat", result.body)  # type: ignore[arg-type]


class ExplodingKV(MemoryKV):
    async def get(self, key: str) -> bytes | None:
        raise ConnectionError

    async def set(self, key: str, value: bytes, ttl_s: float | None = None) -> None:
        raise ConnectionError


async def test_storage_failure_fails_open() -> None:
    result = await compactor(kv=ExplodingKV()).compress(
        tool_session(40), "openai-chat", "gpt-4o", Limits(10_000, None, None)
    )
    assert result.compressed and result.fits


async def test_state_lives_in_the_kv_and_replays_the_same_prefix() -> None:
    kv = MemoryKV()
    body = tool_session(40)
    first = await compactor(kv=kv).compress(
        body, "openai-chat", "gpt-4o", Limits(16_000, None, None), agent="a"
    )
    assert len(kv._data) == 1
    more = {
        **body,
        "messages": [
            *body["messages"],
            {"role": "assistant", "content": "x"},
            {"role": "user", "content": "y"},
        ],
    }
    second = await compactor(kv=kv).compress(
        more, "openai-chat", "gpt-4o", Limits(16_000, None, None), agent="a"
    )  # new instance
    assert second.reused_prefix and second.stages == []
    assert orjson.dumps(second.body["messages"][: len(first.body["messages"])]) == orjson.dumps(  # type: ignore[index]
        first.body["messages"]  # type: ignore[index]
    )
    other_agent = await compactor(kv=kv).compress(
        more, "openai-chat", "gpt-4o", Limits(16_000, None, None), agent="b"
    )
    assert not other_agent.reused_prefix


async def test_edited_history_invalidates_the_state() -> None:
    kv = MemoryKV()
    body = tool_session(40)
    await compactor(kv=kv).compress(body, "openai-chat", "gpt-4o", Limits(16_000, None, None))
    msgs = [dict(m) for m in body["messages"]]
    msgs[5]["content"] = "rewritten by the client"
    again = await compactor(kv=kv).compress(
        {**body, "messages": msgs}, "openai-chat", "gpt-4o", Limits(16_000, None, None)
    )
    assert not again.reused_prefix and again.compressed


async def test_invalid_output_falls_back_to_the_original() -> None:
    class BreakPairs:
        name = "break"

        async def apply(self, ctx: Any) -> None:
            for slot in ctx.slots:  # drop a tool result but keep its call: a bug
                msgs = slot.group.messages
                if len(msgs) > 1 and not slot.protected:
                    slot.group = slot.group.with_messages(msgs[:1])
                    slot.tokens = ctx.count_group(slot.group)
                    ctx.set_slots(ctx.slots)
                    return

    result = await compactor(stages=[BreakPairs()]).compress(
        tool_session(40), "openai-chat", "gpt-4o", Limits(10_000, None, None)
    )
    assert result.body is None and not result.compressed and result.note == "invalid-output"


async def test_quick_skip_is_a_safe_upper_bound() -> None:
    c = compactor()
    body = tool_session(20)
    raw = orjson.dumps(body)
    tokens = COUNTER.count_request("openai-chat", body, "gpt-4o")
    assert c.quick_skip(raw, body, "openai-chat", "gpt-4o", Limits(1_000_000, None, None))
    assert not c.quick_skip(raw, body, "openai-chat", "gpt-4o", Limits(tokens, None, None))


async def test_previous_response_id_is_left_to_the_provider() -> None:
    body = {
        "model": "gpt-4.1",
        "previous_response_id": "resp_1",
        "input": [{"type": "function_call_output", "call_id": "c", "output": "x " * 5000}],
    }
    result = await compactor().compress(body, "openai-responses", "gpt-4.1", Limits(2_000, None, None))
    assert result.body is None and result.note and "previous_response_id" in result.note


def test_validators_catch_broken_pairs() -> None:
    assert violations(
        "openai-chat",
        {"messages": [{"role": "assistant", "tool_calls": [{"id": "a"}]}, {"role": "user", "content": "x"}]},
    ) == {"missing-result:a"}
    assert "orphan-result:z" in violations(
        "openai-chat", {"messages": [{"role": "tool", "tool_call_id": "z"}]}
    )
    assert violations(
        "openai-responses",
        {
            "input": [
                {"type": "reasoning", "id": "rs"},
                {"role": "user", "content": "x"},
                {"type": "function_call_output", "call_id": "q", "output": ""},
            ]
        },
    ) == {"reasoning-without-follower:rs", "orphan-output:q"}
    bad = {
        "system": [{"type": "text", "text": "s", "cache_control": {}}] * 5,
        "messages": [
            {"role": "assistant", "content": [{"type": "tool_use", "id": "t"}]},
            {
                "role": "user",
                "content": [{"type": "text", "text": "x"}, {"type": "tool_result", "tool_use_id": "t"}],
            },
            {"role": "user", "content": "y"},
            {"role": "assistant", "content": "end "},
        ],
    }
    assert violations("anthropic", bad) == {
        "first-role:not-user",
        "tool-result-not-first",
        "roles-not-alternating:user",
        "prefill-trailing-whitespace",
        "too-many-cache-control",
    }


def test_quick_skip_counts_url_images_that_cost_more_tokens_than_bytes() -> None:
    c = compactor()
    part = {"type": "image_url", "image_url": {"url": "https://x.io/a.png"}}
    body = {"messages": [{"role": "user", "content": [part] * 40}]}  # ~2 KB of JSON, ~30k tokens
    raw = orjson.dumps(body)
    assert len(raw) < 3000
    assert not c.quick_skip(raw, body, "openai-chat", "gpt-4o", Limits(32_000, None, None))
    assert c.quick_skip(raw, body, "openai-chat", "gpt-4o", Limits(128_000, None, None))


async def test_summary_budget_follows_the_need_within_the_policy_bounds() -> None:
    """A long chat far over its target gets a large digest; a tool loop just over gets a small one."""
    from proxy.compress.stages import SummarizeStage
    from proxy.compress.stages.summarize import span_density

    compactor = Compactor(load_settings(environ={}).compression, counter=TokenCounter())
    chat = to_chat([("user", f"{filler(i, 300)} we met Dana in Leeds {i}.") for i in range(60)])
    conv = get_adapter("openai-chat").parse(chat)
    policy = compactor.policy("gpt-4o")
    total = compactor.counter.count_request("openai-chat", chat, "gpt-4o")
    chat = get_adapter("openai-chat")
    far = stage_context(
        compactor.counter, compactor.summarizer, conv, chat, "gpt-4o", None, policy, total // 4
    )
    near = stage_context(
        compactor.counter, compactor.summarizer, conv, chat, "gpt-4o", None, policy, int(total / 1.1)
    )
    stage = SummarizeStage()
    room = far.target_raw - far.protected_total() - far.meter.summary_overhead
    assert room < int(far.target_raw * policy.summary_max)
    assert stage.budget(far) == room  # capped by the room the protected turns leave
    assert stage.budget(near) < 0.1 * near.target_raw  # little dropped: a small summary
    tools = [s for s in far.slots if s.group.kind == "tool"]
    assert span_density(far.slots) == 0.25 and not tools  # chat text: the densest need
