"""The cut stage shortens the anchored summary by whole lines: a reader never sees a line cut
in its middle. Digest lines go from the middle out, then the ``Artifacts:`` trail loses its
oldest names (never part of one), the newest line last; the header and the closing count
line stay.

Fixtures: a digest-shaped summary written here, and the Claude Code-style Anthropic session of
:mod:`tests.unit.compress.test_agent_wires` compressed to 0.82 of its tokens (where the
summary had been cut in the middle of a line, and later cut to a header and a few names to
land on the target: it keeps its floor now).
"""

from __future__ import annotations

import json
import re
from typing import Any

from proxy.compress import Compactor, Limits
from proxy.compress.digest import HEADER
from proxy.compress.stages import CutStage
from proxy.compress.stages.base import SUMMARY_FLOOR
from proxy.compress.stages.summary_cut import shrink_summary
from proxy.compress.summary_format import ARTIFACTS, SUMMARY_HEADER
from tests.unit.compress.stagekit import COUNTER, stage_kit
from tests.unit.compress.test_agent_wires import MODEL, SETTINGS, TASK, anthropic_session, count

LINES = [
    f"- [{d} May 2024] Dana: moved flat Leeds {d}; bought cello shop Kirkgate | Sam: fixed bike chain {d}"
    for d in range(1, 13)
]
NAMES = [f"src/pkg/mod_{i}.py" for i in range(40)]
DIGEST = "\n".join([HEADER, *LINES, ARTIFACTS + ", ".join(NAMES), "(40 messages compacted)"])


def _parts(summary: str) -> tuple[list[str], list[str], list[str]]:
    lines = summary.split("\n")
    trail = [s for s in lines if s.startswith(ARTIFACTS)]
    names = trail[0][len(ARTIFACTS) :].split(", ") if trail else []
    return lines, [s for s in lines if s.startswith("- ")], names


def _plain(msg: dict[str, Any]) -> dict[str, Any]:
    blocks = [{k: v for k, v in b.items() if k != "cache_control"} for b in msg["content"]]
    return {**msg, "content": blocks}


def test_the_summary_loses_whole_lines_from_its_middle() -> None:
    goal = count(DIGEST) * 2 // 3
    out = shrink_summary(DIGEST, goal, count)
    assert count(out) <= goal
    lines, entries, names = _parts(out)
    assert lines[0] == HEADER and lines[-1] == "(40 messages compacted)"
    marker = [s for s in lines if s.startswith("[… ctxproxy cut")]
    assert len(marker) == 1 and re.fullmatch(r"\[… ctxproxy cut \d+ lines? of summary …\]", marker[0])
    assert entries[0] == LINES[0] and entries[-1] == LINES[-1]  # the first and the newest stay
    gone = [s for s in LINES if s not in entries]
    assert gone and LINES[LINES.index(gone[0]) : LINES.index(gone[-1]) + 1] == gone  # one run
    assert lines.index(marker[0]) == lines.index(entries[LINES.index(gone[0]) - 1]) + 1  # where they went
    assert names == NAMES  # the trail gives way after the lines
    assert "tokens of summary" not in out


def test_the_trail_loses_its_oldest_names_after_the_lines() -> None:
    lines_only = count("\n".join(LINES[1:-1])) + 20
    out = shrink_summary(DIGEST, count(DIGEST) - lines_only - 40, count)
    lines, entries, names = _parts(out)
    assert entries == [LINES[0], LINES[-1]] or entries == [LINES[-1]]
    assert names and names == NAMES[-len(names) :] and len(names) < len(NAMES)  # whole names
    assert re.fullmatch(r"\[… ctxproxy cut \d+ lines? and \d+ names? of summary …\]", lines[1])


def test_a_summary_cut_to_almost_nothing_keeps_whole_lines_and_its_goal() -> None:
    for goal in (40, 60, 120):
        out = shrink_summary(DIGEST, goal, count)
        assert count(out) <= goal, goal
        for line in out.split("\n")[1:]:
            assert line in DIGEST.split("\n") or line.startswith(("[… ctxproxy cut ", ARTIFACTS)), line
        assert out.startswith(SUMMARY_HEADER)


def test_a_summary_that_fits_is_left_as_it_is() -> None:
    assert shrink_summary(DIGEST, count(DIGEST), count) == DIGEST


def test_a_summary_written_as_one_long_line_is_cut_in_its_middle_only_then() -> None:
    one = SUMMARY_HEADER + " " + " ".join(f"fact{i}" for i in range(600))
    out = shrink_summary(one, 100, count)
    assert count(out) <= 100 and "ctxproxy cut" in out and out.startswith(SUMMARY_HEADER)


async def test_an_anthropic_session_near_its_target_keeps_whole_summary_lines() -> None:
    """The protected turns come within an eighth of the target: the summary keeps its floor,
    whole, and the request lands that little above the target (within its budget)."""
    body = anthropic_session(8)
    tokens = COUNTER.count_request("anthropic", body, MODEL)
    result = await Compactor(SETTINGS, counter=COUNTER).compress(
        body, "anthropic", MODEL, Limits(int(tokens * 0.82), None, 1024)
    )
    assert result.body is not None and "summarize" in dict(result.stages)
    assert result.target_tokens < result.tokens_after <= result.target_tokens * 9 // 8 + 32
    assert result.tokens_after <= result.budget
    first = result.body["messages"][0]["content"]
    assert first[0]["text"] == TASK  # the task verbatim
    for sent_msg, msg in zip(result.body["messages"][-2:], body["messages"][-2:], strict=True):
        assert _plain(sent_msg) == msg  # the newest turn verbatim (a cache breakpoint aside)
    summary = first[1]["text"]
    assert "tokens of summary" not in summary and "ctxproxy cut" not in summary
    lines, _, names = _parts(summary)
    assert lines[0] == HEADER and lines[-1].endswith("messages compacted)")
    sent = json.dumps(body)
    assert names and all(f'"{n}' in sent or f"{n}" in sent for n in names)  # whole names
    assert "hdrs_list_7" in json.dumps(result.body)  # the newest views' names still there


def test_a_heading_goes_with_the_last_line_under_it() -> None:
    body = ["## Task and intent", *LINES[:4], "## Decisions", *LINES[4:8], "## Errors", *LINES[8:]]
    llm = "\n".join([SUMMARY_HEADER + " (40 messages compacted)", *body])
    out = shrink_summary(llm, count(llm) // 2, count).split("\n")
    assert out[0] == SUMMARY_HEADER + " (40 messages compacted)"
    assert "## Decisions" not in out and "## Task and intent" in out and "## Errors" in out
    assert all(s in llm.split("\n") or s.startswith("[… ctxproxy cut") for s in out)


async def test_an_earlier_summary_over_what_the_target_leaves_is_cut_by_whole_lines() -> None:
    """An anchored summary from an earlier compaction, far over what the protected turns
    leave under the target: the cut stage takes whole lines, down to the summary's floor."""
    items = [
        {"role": "system", "content": "You are a careful assistant."},
        {"role": "user", "content": "Plan my week. " + "Here is what matters to me this week. " * 30},
        {"role": "assistant", "content": "Noted. " + "I will keep that in mind as we go. " * 20},
        {"role": "user", "content": "And what did Dana say about Leeds?"},
    ]
    kit = stage_kit(items, target=10_000, summary=DIGEST, keep_recent_groups=2)
    ctx = kit.ctx
    ctx.target_raw = ctx.protected_total() + ctx.meter.summary_overhead + 200  # room for 200
    ctx.budget_raw = 10 * ctx.target_raw
    floor = int(SUMMARY_FLOOR * ctx.target_raw)
    assert ctx.protected_total() < ctx.target_raw < ctx.total() and 200 > floor
    await kit.run(CutStage())
    summary = ctx.summary or ""
    lines, digest_lines, names = _parts(summary)
    assert lines[0] == HEADER and lines[-1] == "(40 messages compacted)"
    assert "ctxproxy cut" in summary and "tokens of summary" not in summary
    assert all(s in DIGEST.split("\n") for s in digest_lines)  # whole lines, never part of one
    assert all(n in NAMES for n in names)  # whole names
    assert floor < ctx.tokens_of(summary) <= 200 and ctx.total() <= ctx.target_raw
