"""The agent-session benchmark's measures on a small hand-made session and on the copied
OpenHands sessions: the facts a later turn needs, the facts a request kept, the checks (task
and newest output verbatim, no orphan) and the baselines (observation masking, keep-last).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.bench.reader import agent as ag
from tests.unit.bench.readerkit import DATA


def call(cid: str, name: str, **args: str) -> dict[str, Any]:
    return {"id": cid, "type": "function", "function": {"name": name, "arguments": json.dumps(args)}}


def session() -> dict[str, Any]:
    return {
        "model": "gpt-4o",
        "tools": [{"type": "function", "function": {"name": "execute_bash", "parameters": {}}}],
        "messages": [
            {"role": "system", "content": "You are an agent."},
            {"role": "user", "content": "Fix the bug in /repo/pkg/core.py please."},
            {
                "role": "assistant",
                "content": "Looking.",
                "tool_calls": [call("c1", "execute_bash", command="grep -rn x")],
            },
            {
                "role": "tool",
                "tool_call_id": "c1",
                "content": "/repo/pkg/util_helpers.py:4120: def parse_value\n" + "x" * 800,
            },
            {
                "role": "assistant",
                "content": "Run it.",
                "tool_calls": [call("c2", "execute_bash", command="python t.py")],
            },
            {
                "role": "tool",
                "tool_call_id": "c2",
                "content": "Traceback:\n  File t.py, line 17\nKeyError: 'REGION'\n" + "y" * 800,
            },
            {
                "role": "assistant",
                "content": "The KeyError at line 17 comes from parse_value in /repo/pkg/util_helpers.py.",
                "tool_calls": [
                    call("c3", "execute_bash", command="sed -n 4120,4125p /repo/pkg/util_helpers.py")
                ],
            },
            {"role": "tool", "tool_call_id": "c3", "content": "def parse_value(raw):"},
            {"role": "assistant", "content": "Also /repo/pkg/core.py."},
        ],
    }


def test_facts_in_finds_each_kind() -> None:
    found = ag.facts_in(
        "KeyError at line 17 in /repo/pkg/util_helpers.py: parse_value(), code 4120, getValue, a.b.c"
    )
    assert {
        "KeyError",
        "line 17",
        "/repo/pkg/util_helpers.py",
        "util_helpers.py",
        "parse_value",
        "4120",
        "getValue",
        "a.b.c",
    } <= found
    assert "17" not in found and "at" not in found
    assert ag.facts_in("exit 4120. pi 3.14159, v1.2.345") == {"4120"}  # sentence end yes, decimals no
    # a fragment glued to more of a name is no fact; two-part names are; abbreviations are not
    assert ag.facts_in("/workspace/django__django__3.0 has self.cols, e.g. np.array") == {
        "/workspace/django__django__3.0",
        "self.cols",
        "np.array",
    }


def test_holds_finds_whole_tokens_only() -> None:
    assert ag.holds("see /repo/pkg/util_helpers.py:12", "util_helpers.py")
    assert ag.holds("see /repo/pkg/util_helpers.py:12", "/repo/pkg/util_helpers.py")
    assert not ag.holds("code 41205", "4120") and not ag.holds("v 4120.5", "4120")
    assert ag.holds("code 4120.", "4120")
    assert not ag.holds("parse_values()", "parse_value") and ag.holds("x.parse_value()", "parse_value")
    assert not ag.holds("/other/repo/pkg/core.py", "/repo/pkg/core.py")


def test_later_facts_are_written_later_and_seen_before_only_in_tool_outputs() -> None:
    body = session()
    points = ag.points(body["messages"])
    assert points == [(0.5, 6), (0.75, 8)]  # cut before assistant turns 3 and 4 of 4
    facts = ag.later_facts(body, 6)
    assert {"KeyError", "line 17", "parse_value", "/repo/pkg/util_helpers.py", "4120"} <= facts
    assert "/repo/pkg/core.py" not in facts  # in the task: never needed from a tool output
    assert ag.later_facts(body, 8) == set()  # the last turn names only the task's file
    # before the run: the traceback is not seen yet, so KeyError and line 17 are not needed from it
    assert ag.later_facts(body, 4) == {
        "/repo/pkg/util_helpers.py",
        "util_helpers.py",
        "util_helpers",
        "parse_value",
        "4120",
    }
    assert "parse_value" not in ag.later_facts(body, 6, strict=False) - ag.later_facts(body, 6, strict=True)


def test_facts_the_agent_wrote_itself_are_not_needed_from_a_tool_output() -> None:
    body = session()
    body["messages"][4]["content"] = "parse_value in util_helpers.py looks wrong."  # the agent says it
    strict, lenient = ag.later_facts(body, 6), ag.later_facts(body, 6, strict=False)
    assert "parse_value" in lenient and "util_helpers.py" in lenient
    assert "parse_value" not in strict and "util_helpers.py" not in strict
    assert "/repo/pkg/util_helpers.py" in strict and strict < lenient  # the full path it never wrote


def test_kept_counts_facts_in_contents_and_tool_calls() -> None:
    body = session()
    request = {**body, "messages": body["messages"][:6]}
    facts = ag.later_facts(body, 6)
    assert ag.kept(facts, request) == len(facts)
    masked = ag.observation_masking(request, 10**6, lambda b: 0)
    assert masked == request  # everything fits: nothing masked
    gone = {
        **request,
        "messages": [
            m if m.get("role") != "tool" else {**m, "content": ag.MASK} for m in request["messages"]
        ],
    }
    assert ag.kept(facts, gone) == 0


def test_kept_can_leave_out_the_name_lists_of_the_proxys_markers() -> None:
    body = {
        "messages": [
            {
                "role": "tool",
                "content": "[ctxproxy: output of x omitted (90 tokens); mentions: parse_value, 4120]",
            },
            {
                "role": "user",
                "content": "[… ctxproxy cut 40 tokens of content; mentions: KeyError …]\nline 17",
            },
        ]
    }
    facts = {"parse_value", "4120", "KeyError", "line 17"}
    assert ag.kept(facts, body) == 4
    assert ag.kept(facts, body, marker_lists=False) == 1  # only line 17 stands outside a list


def test_checks_fail_on_a_cut_task_a_changed_newest_output_and_an_orphan() -> None:
    from proxy.compress import violations

    request = {**session(), "messages": session()["messages"][:6]}
    assert ag.task_verbatim(request, request) and ag.newest_output_verbatim(request, request)
    cut_task = json.loads(json.dumps(request))
    cut_task["messages"][1]["content"] = "Fix the bug please."
    assert not ag.task_verbatim(request, cut_task)
    cut_out = json.loads(json.dumps(request))
    cut_out["messages"][5]["content"] = "Traceback: [cut]"
    assert not ag.newest_output_verbatim(request, cut_out)
    orphan = {**request, "messages": [m for i, m in enumerate(request["messages"]) if i != 4]}
    assert violations("openai-chat", orphan) and not violations("openai-chat", request)


def counter_of(body: dict[str, Any]) -> int:
    return len(json.dumps(body["messages"])) // 4


def test_observation_masking_keeps_the_newest_output_and_cuts_the_next_to_fill() -> None:
    request = {**session(), "messages": session()["messages"][:6]}
    all_masked = ag.observation_masking(request, 0, counter_of)
    budget = counter_of(all_masked) + 300  # room for the newest output and part of the one before
    out = ag.observation_masking(request, budget, counter_of)
    assert counter_of(out) <= budget
    tools = [m["content"] for m in out["messages"] if m.get("role") == "tool"]
    assert tools[1] == request["messages"][5]["content"]
    older = request["messages"][3]["content"]
    assert tools[0] != ag.MASK and tools[0].endswith("[… cut]") and len(tools[0]) < len(older)
    assert tools[0].startswith(older[:50])


def test_keep_last_never_starts_on_a_tool_result() -> None:
    request = {**session(), "messages": session()["messages"][:8]}
    budget = counter_of(request) - 50
    out = ag.keep_last(request, budget, counter_of, fill=False)
    assert counter_of(out) <= budget
    assert out["messages"][:2] == request["messages"][:2]
    assert out["messages"][2]["role"] == "assistant"


def test_keep_last_fills_the_size_with_the_turn_before_its_outputs_cut() -> None:
    request = {**session(), "messages": session()["messages"][:8]}
    budget = counter_of(request) - 100
    whole = ag.keep_last(request, budget, counter_of, fill=False)
    filled = ag.keep_last(request, budget, counter_of)
    assert counter_of(whole) < counter_of(filled) <= budget
    assert [m.get("tool_call_id") for m in filled["messages"] if m.get("role") == "tool"] == [
        "c1",
        "c2",
        "c3",
    ]
    first = next(m for m in filled["messages"] if m.get("role") == "tool")
    assert first["content"].endswith("[… cut]") and first["content"].startswith("/repo/pkg/util_helpers.py")
    from proxy.compress import violations

    assert not violations("openai-chat", filled)


@pytest.mark.parametrize("name", ["django__django-10973", "django__django-11163", "astropy__astropy-13033"])
def test_real_sessions_have_points_and_later_needed_facts(name: str) -> None:
    body = json.loads((DATA / f"{name}.json").read_text())
    points = ag.points(body["messages"])
    assert [f for f, _ in points] == [0.5, 0.75]
    for _, cut in points:
        assert body["messages"][cut]["role"] == "assistant"
        request = {**body, "messages": body["messages"][:cut]}
        assert ag.task_verbatim(body, request) and ag.newest_output_verbatim(request, request)
    assert ag.later_facts(body, points[0][1], strict=False)  # the agent reuses what its tools told it
    for _, cut in points:  # what it saw only there is a part of that
        assert ag.later_facts(body, cut) <= ag.later_facts(body, cut, strict=False)
