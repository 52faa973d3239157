"""Each compaction stage alone, through the stage kit: its own effect and nothing else."""

from __future__ import annotations

from typing import Any

import pytest

from proxy.compress.stages import (
    CutStage,
    DedupeStage,
    DropStage,
    MaskStage,
    MassGenStage,
    SummarizeStage,
    TruncateStage,
    default_stages,
)
from proxy.compress.stages.cut import hard_overflow
from proxy.compress.summarizer import SUMMARY_HEADER
from proxy.wire import get_adapter
from tests.unit.compress.convgen import RENDER, filler
from tests.unit.compress.stagekit import BrokenSummarizer, stage_kit

Msg = dict[str, Any]


def call(i: int, name: str, output: str) -> list[Msg]:
    """An assistant tool call and its result (one atomic group)."""
    cid = f"call_{i}"
    return [
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [{"id": cid, "type": "function", "function": {"name": name, "arguments": "{}"}}],
        },
        {"role": "tool", "tool_call_id": cid, "content": output},
    ]


def tool_loop(outputs: list[str], name: str = "read_file") -> list[Msg]:
    msgs: list[Msg] = [
        {"role": "system", "content": "You are a coding agent."},
        {"role": "user", "content": "Find the bug in /srv/app/server.py."},
    ]
    for i, out in enumerate(outputs):
        msgs += call(i, name, out)
    msgs.append({"role": "user", "content": "What did you find?"})
    return msgs


def tool_outputs(items: list[Msg]) -> list[str]:
    return [m["content"] for m in items if m.get("role") == "tool"]


def test_every_default_stage_has_a_test_here() -> None:
    tested = {"dedupe", "truncate", "mask", "massgen", "summarize", "drop", "cut"}
    assert {s.name for s in default_stages()} == tested


async def test_dedupe_replaces_earlier_copies_and_keeps_the_newest() -> None:
    big = filler(3, 400)  # ≥ 1200 characters
    outputs = [big, "short result", big, filler(5, 400), big]
    kit = stage_kit(tool_loop(outputs), target=0.5, keep_recent_groups=1)
    saved = await kit.run(DedupeStage())
    got = tool_outputs(kit.items())
    assert got[0].startswith("[ctxproxy: duplicate output of tool read_file") and got[2] == got[0]
    assert got[1] == "short result" and got[3] == filler(5, 400)  # unique ones untouched
    assert got[4] == big  # the newest copy stays verbatim
    assert saved > 2 * kit.ctx.tokens_of(big) * 0.8
    assert kit.before - kit.ctx.total() == saved
    assert not kit.new_violations()


async def test_dedupe_leaves_short_repeats_alone() -> None:
    kit = stage_kit(tool_loop(["same"] * 6), target=0.1, keep_recent_groups=1)
    assert await kit.run(DedupeStage()) == 0
    assert kit.items() == kit.original_items()


async def test_truncate_cuts_only_the_huge_output_head_and_tail_kept() -> None:
    huge = "HEAD " + filler(1, 6000) + " TAIL"
    outputs = [filler(2, 100), huge, filler(3, 100)]
    kit = stage_kit(tool_loop(outputs), target=0.6, keep_recent_groups=1)
    n = kit.ctx.tokens_of(huge)
    saved = await kit.run(TruncateStage())
    got = tool_outputs(kit.items())
    assert got[0] == outputs[0] and got[2] == outputs[2]
    assert got[1].startswith("HEAD ") and got[1].endswith(" TAIL")
    assert "ctxproxy cut" in got[1] and "read_file output" in got[1]
    cap = max(1024, int(kit.ctx.target_raw * 0.08))
    assert kit.ctx.tokens_of(got[1]) <= cap
    assert saved >= n - cap - 8
    assert not kit.new_violations()


async def test_truncate_does_nothing_when_already_fitting() -> None:
    kit = stage_kit(tool_loop(["x " * 5000]), target=10**6)
    assert await kit.run(TruncateStage()) == 0
    assert kit.items() == kit.original_items()


async def test_mask_replaces_old_outputs_keeps_the_newest_k() -> None:
    outputs = [filler(i, 300) + f" see /srv/app/mod{i}.py" for i in range(10)]
    kit = stage_kit(tool_loop(outputs), target=0.3, keep_recent_groups=1, keep_tool_results=3)
    saved = await kit.run(MaskStage())
    got = tool_outputs(kit.items())
    assert got[-3:] == outputs[-3:]  # keep_tool_results
    masked = [g for g in got if g.startswith("[ctxproxy: output of read_file omitted")]
    assert masked and "/srv/app/mod0.py" in got[0]  # artifacts stay mentioned
    assert saved > 0 and not kit.new_violations()


async def test_mask_stops_as_soon_as_it_fits() -> None:
    outputs = [filler(i, 300) for i in range(8)]
    kit = stage_kit(tool_loop(outputs), target=10**6, keep_recent_groups=1, keep_tool_results=0)
    kit.ctx.target_raw = kit.before - 10  # one masked output is enough
    await kit.run(MaskStage())
    got = tool_outputs(kit.items())
    assert got[0].startswith("[ctxproxy:") and got[1:] == outputs[1:]


def massgen_prompt(turns: int) -> str:
    history = "\n".join(
        f"User: question {i} about {filler(i, 60)}?\nAssistant: <agent1.{i}>{filler(i + 50, 120)}<end of agent1.{i}>"
        for i in range(turns)
    )
    return (
        "<ORIGINAL MESSAGE> Plan the release of version 2.4 </ORIGINAL MESSAGE>\n"
        f"<CONVERSATION_HISTORY>\n{history}\n<END OF CONVERSATION_HISTORY>\n"
        "<CURRENT ANSWERS from the agents>\n<agent2.1>" + filler(99, 200) + "<end of agent2.1>\n"
    )


async def test_massgen_digests_the_history_and_keeps_labels_and_original() -> None:
    text = massgen_prompt(20)
    msgs = [{"role": "system", "content": "You are agent 1."}, {"role": "user", "content": text}]
    kit = stage_kit(msgs, target=0.6)
    assert kit.ctx.protected_overflow  # the only user turn is protected: edited on overflow only
    saved = await kit.run(MassGenStage())
    out = kit.items()[1]["content"]
    assert saved > 0 and kit.ctx.fits()
    assert "<ORIGINAL MESSAGE> Plan the release of version 2.4 </ORIGINAL MESSAGE>" in out
    assert "<CONVERSATION_HISTORY>" in out and "<END OF CONVERSATION_HISTORY>" in out
    assert SUMMARY_HEADER in out
    assert "<agent2.1>" + filler(99, 200) + "<end of agent2.1>" in out  # current answers untouched
    assert kit.items()[0] == msgs[0]


async def test_massgen_ignores_ordinary_text() -> None:
    msgs = [{"role": "user", "content": filler(1, 3000)}]
    kit = stage_kit(msgs, target=0.5)
    assert await kit.run(MassGenStage()) == 0
    assert kit.items() == kit.original_items()


def long_chat(turns: int) -> list[Msg]:
    msgs: list[Msg] = [{"role": "system", "content": "Be brief."}]
    for i in range(turns):
        msgs.append({"role": "user", "content": f"Question {i}: {filler(i, 80)}"})
        msgs.append({"role": "assistant", "content": f"Answer {i}: {filler(i + 100, 80)}"})
    return msgs


async def test_summarize_folds_the_oldest_groups_into_one_summary() -> None:
    msgs = long_chat(30)
    kit = stage_kit(msgs, target=0.5, keep_recent_groups=4)
    saved = await kit.run(SummarizeStage())
    items = kit.items()
    summary = kit.ctx.summary
    assert summary is not None and summary.startswith(SUMMARY_HEADER)
    assert saved > 0 and kit.ctx.fits()
    assert items[-8:] == msgs[-8:]  # recent groups verbatim
    assert any(summary in str(m["content"]) for m in items)  # anchored in the rendered request
    assert len(items) < len(msgs) and not kit.new_violations()


async def test_summarize_failure_leaves_the_conversation_and_notes_it() -> None:
    kit = stage_kit(long_chat(20), target=0.5, summarizer=BrokenSummarizer())
    assert await kit.run(SummarizeStage()) == 0
    assert kit.items() == kit.original_items()
    assert kit.ctx.notes == ["summarizer-failed:TimeoutError"]


async def test_drop_removes_oldest_unprotected_groups_with_a_marker() -> None:
    msgs = tool_loop([filler(i, 200) for i in range(10)])
    kit = stage_kit(msgs, target=0.5, keep_recent_groups=2)
    protected = [s.group for s in kit.ctx.slots if s.protected]
    saved = await kit.run(DropStage())
    assert kit.ctx.fits() and saved > 0
    assert [s.group for s in kit.ctx.slots if s.protected] == protected  # all protected groups stay
    assert kit.ctx.summary is not None and "earlier messages were omitted" in kit.ctx.summary
    items = kit.items()
    assert items[-5:] == msgs[-5:]
    ids = {m["tool_call_id"] for m in items if m["role"] == "tool"}
    calls = {c["id"] for m in items for c in m.get("tool_calls") or []}
    assert ids == calls  # tool pairs leave together
    assert not kit.new_violations()


async def test_drop_keeps_an_existing_summary() -> None:
    kit = stage_kit(long_chat(12), target=0.5, summary=f"{SUMMARY_HEADER} earlier facts")
    await kit.run(DropStage())
    assert kit.ctx.summary == f"{SUMMARY_HEADER} earlier facts"


async def test_cut_shrinks_the_task_only_to_the_input_budget() -> None:
    huge = "BEGIN " + filler(7, 5000) + " END"
    msgs = [{"role": "system", "content": "x"}, {"role": "user", "content": huge}]
    kit = stage_kit(msgs, target=0.3)
    assert kit.ctx.protected_overflow and hard_overflow(kit.ctx)
    saved = await kit.run(CutStage())
    out = kit.items()[1]["content"]
    # The task gives way only as far as the budget needs: it lands over the target, within
    # 5 % of the budget (the marker's names list no longer leaves its unused room empty).
    budget = kit.ctx.input_budget()
    assert saved > 0 and not hard_overflow(kit.ctx) and not kit.ctx.fits()
    assert kit.ctx.total() >= 0.95 * budget
    assert out.startswith("BEGIN ") and out.endswith(" END") and "ctxproxy cut" in out
    assert kit.items()[0] == msgs[0]


async def test_cut_shrinks_the_summary_only_after_the_messages() -> None:
    summary = SUMMARY_HEADER + " " + filler(4, 3000)
    msgs = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]
    kit = stage_kit(msgs, target=200, summary=summary)
    await kit.run(CutStage())
    assert kit.ctx.summary is not None and kit.ctx.summary.startswith(SUMMARY_HEADER)
    assert "ctxproxy cut" in kit.ctx.summary and kit.ctx.fits()
    assert kit.items()[-1] == msgs[-1]


@pytest.mark.parametrize("api", ["anthropic", "openai-responses", "gemini"])
async def test_mask_keeps_tool_pairs_in_every_api(api: str) -> None:
    script: list[Any] = [("user", "Look at the logs.")]
    script += [("tools", [("run", "{}", filler(i, 300))], None) for i in range(8)]
    script.append(("user", "Done?"))
    body = RENDER[api](script)  # the same script in each API's shape
    items = body[get_adapter(api).container]
    kit = stage_kit(items, api=api, target=0.4, keep_recent_groups=1, keep_tool_results=2)
    saved = await kit.run(MaskStage())
    assert saved > 0 and not kit.new_violations()
