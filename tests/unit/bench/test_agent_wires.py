"""The agent-session benchmark's wires: a real OpenHands session re-sent on Anthropic Messages
and OpenAI Responses, with Claude Code's tool vocabulary, valid and read back the same way."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from proxy.compress import violations
from tests.bench.reader import agent as ag
from tests.bench.reader.agent_wires import WIRES, convert
from tests.bench.reader.sessions import load_session
from tests.bench.reader.wire_view import chat_view

DATA = Path(__file__).resolve().parents[2] / "data" / "openhands"
SESSION = load_session(DATA / "django__django-10973.json")


NATIVE = ("chat", "anthropic", "responses")  # the wires with native tool calls


@pytest.mark.parametrize("wire", NATIVE)
@pytest.mark.parametrize("tools", ["openhands", "claude-code", "claude-code-reminders"])
def test_a_converted_session_is_valid_and_reads_back_alike(wire: str, tools: str) -> None:
    body = convert(SESSION, wire, tools)
    assert violations(WIRES[wire], body) <= {"last-role:assistant", "prefill-trailing-whitespace"}
    view = chat_view(body, wire)["messages"]
    same = chat_view(convert(SESSION, "chat", tools), "chat")["messages"]
    assert [m["role"] for m in view] == [m["role"] for m in same]
    assert [ag.call_texts(m) for m in view] == [ag.call_texts(m) for m in same]
    assert ag.task_text(view) == ag.task_text(SESSION["messages"])
    ids = [c["id"] for m in view for c in m.get("tool_calls") or []]
    assert ids == [m["tool_call_id"] for m in view if m["role"] == "tool"]  # every id kept, paired


@pytest.mark.parametrize(
    ("wire", "tools"), [("text", "openhands"), ("text", "claude-code"), ("cline", "claude-code")]
)
def test_calls_written_as_text_read_back_as_calls(wire: str, tools: str) -> None:
    """``--wire text`` / ``cline``: no ``tools`` field, no tool role; read back, every call pairs
    with its output, and the calls are the session's (Cline's vocabulary; its thoughts as text)."""
    body = convert(SESSION, wire, tools)
    assert WIRES[wire] == "openai-chat" and "tools" not in body
    assert {m["role"] for m in body["messages"]} == {"system", "user", "assistant"}
    assert violations("openai-chat", body) <= {"last-role:assistant"}
    view = chat_view(body, wire)["messages"]
    same = chat_view(convert(SESSION, "chat", tools), "chat")["messages"]
    assert ag.task_text(view) == ag.task_text(SESSION["messages"])
    ids = [c["id"] for m in view for c in m.get("tool_calls") or []]
    answered = [m["tool_call_id"] for m in view if m["role"] == "tool"]
    assert answered == ids[: len(answered)] and len(ids) - len(answered) <= 1  # (the last may be unanswered)
    names = [c["function"]["name"] for m in view for c in m.get("tool_calls") or []]
    native = [c["function"]["name"] for m in same for c in m.get("tool_calls") or []]
    if wire == "text":
        assert names == native
    else:
        cline = {
            "Read": "read_file",
            "Bash": "execute_command",
            "Edit": "replace_in_file",
            "Write": "write_to_file",
        }
        cline["finish"] = "attempt_completion"
        assert set(native) - {"think"} <= set(cline)  # (this session's tools)
        assert names == [cline[n] for n in native if n != "think"]
    outputs = [m["content"] for m in view if m["role"] == "tool"]
    assert outputs and all(o for o in outputs)


def test_claude_code_tools_read_with_arrows_and_edit_with_old_string() -> None:
    view = chat_view(convert(SESSION, "anthropic", "claude-code"), "anthropic")["messages"]
    calls = {
        c["function"]["name"]: json.loads(c["function"]["arguments"])
        for m in view
        for c in m.get("tool_calls") or []
    }
    assert set(calls["Read"]) >= {"file_path"} and "command" not in calls["Read"]
    assert set(calls["Edit"]) == {"file_path", "old_string", "new_string"}
    assert "command" in calls["Bash"]
    read = next(
        i for i, m in enumerate(view) for c in m.get("tool_calls") or [] if c["function"]["name"] == "Read"
    )
    out = view[read + 1]["content"]
    assert out.split("\n", 1)[0].lstrip().startswith("1→") or "→" in out.split("\n", 1)[0]
    assert "\t" not in out.split("\n", 1)[0] and "Here's the result" not in out


def test_claude_code_reminders_follow_each_read_result_and_it_stays_a_file_view() -> None:
    from proxy.compress import code_view
    from tests.bench.reader.agent_wires import REMINDER

    view = chat_view(convert(SESSION, "chat", "claude-code-reminders"), "chat")["messages"]
    names = {c["id"]: c["function"]["name"] for m in view for c in m.get("tool_calls") or []}
    reads = [m["content"] for m in view if m["role"] == "tool" and names[m["tool_call_id"]] == "Read"]
    others = [m["content"] for m in view if m["role"] == "tool" and names[m["tool_call_id"]] != "Read"]
    assert reads and all(r.endswith(REMINDER) or r.startswith("ERROR") for r in reads)
    assert not any(REMINDER in o for o in others)
    views = [r for r in reads if code_view.is_code_view(r.removesuffix(REMINDER))]
    assert views and all(code_view.is_code_view(r) for r in views)
