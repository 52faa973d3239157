"""Tool calls written as text (OpenHands without function calling, SWE-agent's thought-action
format): the chat adapter reads the output a user message carries as a tool output, keeps its
marker in front of whatever a stage writes, and pairs it with the call before it."""

from __future__ import annotations

from typing import Any

import pytest

from proxy.compress import TokenCounter
from proxy.compress.stages.summarize import dropped_messages
from proxy.wire import get_adapter
from proxy.wire.text_tools import observation, split_calls

MARKER = "EXECUTION RESULT of [execute_bash]:\n"
CALL = "Let me list the files.\n\n<function=execute_bash>\n<parameter=command>ls -la src/</parameter>\n</function>"


def _body(*messages: dict[str, Any]) -> dict[str, Any]:
    return {"model": "gpt-4o", "messages": [{"role": "user", "content": "Fix the bug."}, *messages]}


def test_an_output_sent_as_a_user_message_is_a_tool_output_with_its_marker_as_lead() -> None:
    conv = get_adapter("openai-chat").parse(
        _body({"role": "assistant", "content": CALL}, {"role": "user", "content": MARKER + "a.py\nb.py"})
    )
    task, pair = conv.groups
    assert task.kind == "user" and task.messages[0].is_user_turn
    assert pair.kind == "tool"  # the call and its output stay in one group
    call, out = pair.messages
    assert call.calls == out.results
    assert not out.is_user_turn and out.tool_name == "execute_bash" and out.lead == MARKER
    assert [(s.kind, s.text) for s in out.segments] == [("tool_output", "a.py\nb.py")]


def test_an_edit_keeps_the_marker_in_front() -> None:
    msg = get_adapter("openai-chat").parse_message({"role": "user", "content": MARKER + "x" * 500}, 2, {})
    short = msg.edited(msg.segments[0], "[ctxproxy: output of execute_bash omitted (120 tokens)]")
    assert short.raw["content"] == MARKER + "[ctxproxy: output of execute_bash omitted (120 tokens)]"
    assert short.segments[0].text == "[ctxproxy: output of execute_bash omitted (120 tokens)]"
    assert short.lead == MARKER


def test_the_marker_is_counted() -> None:
    counter = TokenCounter()
    adapter = get_adapter("openai-chat")
    enc = counter.encoding("gpt-4o")
    text = MARKER + "total 8\ndrwxr-xr-x 2 root root 4096 a.py"
    as_output = adapter.parse_message({"role": "user", "content": text}, 1, {})
    assert as_output.lead
    expected = (
        adapter.message_overhead
        + counter.count_text(text[len(MARKER) :], enc)
        + counter.count_text(MARKER, enc)
    )
    assert counter.message_raw(as_output, enc, "openai-chat", adapter.message_overhead) == expected


def test_list_content_and_swe_agent_observations() -> None:
    adapter = get_adapter("openai-chat")
    parts = [{"type": "text", "text": "OBSERVATION:\nFile updated."}, {"type": "text", "text": "more"}]
    msg = adapter.parse_message({"role": "user", "content": parts}, 4, {})
    assert msg.lead == "OBSERVATION:\n" and msg.tool_name is None and msg.results
    assert [(s.kind, s.text) for s in msg.segments] == [
        ("tool_output", "File updated."),
        ("tool_output", "more"),
    ]
    edited = msg.edited(msg.segments[0], "[cut]")
    assert (
        edited.raw["content"][0]["text"] == "OBSERVATION:\n[cut]"
        and edited.raw["content"][1]["text"] == "more"
    )


@pytest.mark.parametrize(
    "text",
    [
        "What does OBSERVATION:\nmean here?",  # not at the start
        "OBSERVATION: the test passed",  # no line break after the marker: a person's sentence
        "EXECUTION RESULT of [two words]:\nx",  # not a tool's name
        "Execution result of [x]:\ny",  # another case
    ],
)
def test_a_person_s_message_stays_a_user_turn(text: str) -> None:
    assert observation(text) is None
    msg = get_adapter("openai-chat").parse_message({"role": "user", "content": text}, 1, {})
    assert msg.is_user_turn and not msg.lead and msg.segments[0].kind == "text"


def test_native_calls_win_and_a_text_without_a_call_issues_none() -> None:
    adapter = get_adapter("openai-chat")
    native = {
        "role": "assistant",
        "content": CALL,
        "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}],
    }
    assert adapter.parse_message(native, 1, {}).calls == ("c1",)
    plain = adapter.parse_message({"role": "assistant", "content": "I will call <function= later"}, 1, {})
    assert plain.calls == ()


def test_the_summarizer_reads_a_text_call_as_a_call() -> None:
    prose, calls = split_calls(CALL)
    assert prose == "Let me list the files." and calls == [
        {"name": "execute_bash", "arguments": {"command": "ls -la src/"}}
    ]
    conv = get_adapter("openai-chat").parse(
        _body({"role": "assistant", "content": CALL}, {"role": "user", "content": MARKER + "a.py"})
    )
    dropped = dropped_messages(list(conv.groups[1:]))
    assert [(d.role, d.tool_name) for d in dropped] == [("assistant", None), ("tool", "execute_bash")]
    assert dropped[0].calls == ("execute_bash ls -la src/",)
    assert "<function=" not in dropped[0].text and dropped[0].text.startswith("Let me list the files.")
    assert dropped[1].text == "a.py"  # the output, without its marker


CLINE_CALL = "I'll read the module.\n\n<read_file>\n<path>src/app.py</path>\n</read_file>"
CLINE_OUTPUT = [
    {"type": "text", "text": "[read_file for 'src/app.py'] Result:"},
    {"type": "text", "text": "def main():\n    return 1"},
]


@pytest.mark.parametrize("api", ["openai-chat", "anthropic"])
def test_cline_outputs_and_calls(api: str) -> None:
    body = {
        "model": "m",
        "max_tokens": 100,
        "messages": [
            {"role": "user", "content": [{"type": "text", "text": "<task>Fix main</task>"}]},
            {"role": "assistant", "content": CLINE_CALL},
            {"role": "user", "content": CLINE_OUTPUT},
        ],
    }
    conv = get_adapter(api).parse(body)
    msgs = conv.messages()
    task, call, out = msgs[-3:]
    assert task.is_user_turn
    assert call.calls == out.results and out.tool_name == "read_file" and not out.is_user_turn
    assert out.lead == "[read_file for 'src/app.py'] Result:"
    assert [(s.kind, s.text) for s in out.segments] == [
        ("tool_output", ""),
        ("tool_output", "def main():\n    return 1"),
    ]
    cut = out.edited(out.segments[1], "[ctxproxy: output of read_file omitted (9 tokens)]")
    assert (
        cut.raw["content"][0]["text"] == "[read_file for 'src/app.py'] Result:"
    )  # the marker's part untouched
    assert cut.raw["content"][1]["text"] == "[ctxproxy: output of read_file omitted (9 tokens)]"
    dropped = dropped_messages([g for g in conv.groups if any(m.calls for m in g.messages)])
    assert dropped[0].calls == ("read_file src/app.py",)
    assert dropped[0].text == "I'll read the module.\nCalled read_file src/app.py."  # as a native call reads
    assert (dropped[1].role, dropped[1].tool_name, dropped[1].text) == (
        "tool",
        "read_file",
        "def main():\n    return 1",
    )


def test_cline_marker_needs_its_own_line_and_a_tool_name() -> None:
    assert observation("[read_file for 'a b.py'] Result:") == (
        "[read_file for 'a b.py'] Result:",
        "read_file",
    )
    assert observation("[execute_command for 'ls -la'] Result:\nok") is not None
    assert observation("[attempt_completion] Result:") == (
        "[attempt_completion] Result:",
        "attempt_completion",
    )
    assert observation("[Caroline] Result: we won the match") is None  # a chat line
    assert observation("[2023-05-08 13:56] Caroline: hi") is None
    assert split_calls("Plain text with <b>bold</b>.") == ("Plain text with <b>bold</b>.", [])


def test_a_bracketed_word_before_result_is_not_a_cline_output() -> None:
    assert observation("[PASS] Result:\nall 12 tests") is None  # a pasted log: not one of Cline's tools
    assert observation("[use_mcp_tool for 'github'] Result:") is not None
