"""Agent sessions on other wires and tool vocabularies keep what an OpenHands session keeps.

Fixtures: a small Claude Code-style session (``Read`` {file_path} returning ``     1→line``,
``Edit`` {file_path, old_string, new_string}, ``Bash`` {command}) on Anthropic Messages
(``tool_use`` / ``tool_result`` blocks, results as lists of text blocks, two results in one
user message) and on OpenAI Responses (``function_call`` / ``function_call_output``).
"""

from __future__ import annotations

import json
from typing import Any

from proxy.compress import Compactor, Limits, code_view, violations
from proxy.compress.stages.mask import placeholder
from proxy.compress.stages.summarize import describe_call, dropped_messages
from proxy.compress.stages.text_ops import shrink_to
from proxy.config import load_settings
from proxy.wire import get_adapter
from tests.unit.compress.convgen import filler
from tests.unit.compress.stagekit import COUNTER

SETTINGS = load_settings(environ={}).compression
MODEL = "claude-sonnet-4-20250514"
TASK = "Make header_rows work in the RST writer of /srv/app/rows.py."


def read_output(seed: int, padding: int = 30) -> str:
    """A ``Read`` result: ``cat -n`` lines with an arrow, no header line (Claude Code's form)."""
    body = ["import os", "from table import BaseWriter", ""]
    body += [f"# {filler(seed + i, 10)}" for i in range(padding)]
    body += [
        f"class RowWriter{seed}(BaseWriter):",
        f"    col_widths_{seed} = None",
        "",
        f"    def write_rows_{seed}(self, lines):",
        f"        hdrs_list_{seed} = self.header.cols",
        f"        padded_{seed} = [c.rjust(w) for c, w in zip(hdrs_list_{seed}, lines)]",
    ]
    body += [f"        # {filler(seed + 50 + i, 10)}" for i in range(padding)]
    body += [f"        return padded_{seed}"]
    return "\n".join(f"{i + 1:6}→{s}" for i, s in enumerate(body))


def count(text: str) -> int:
    return COUNTER.count_text(text, COUNTER.encoding("gpt-4o"))


def anthropic_session(turns: int = 8) -> dict[str, Any]:
    msgs: list[dict[str, Any]] = [{"role": "user", "content": [{"type": "text", "text": TASK}]}]
    for i in range(turns):
        path = f"/srv/app/mod_{i}.py"
        read, grep = f"toolu_read_{i}", f"toolu_grep_{i}"
        msgs.append(
            {
                "role": "assistant",
                "content": [
                    {"type": "text", "text": f"Let me read {path} and grep it."},
                    {"type": "tool_use", "id": read, "name": "Read", "input": {"file_path": path}},
                    {
                        "type": "tool_use",
                        "id": grep,
                        "name": "Bash",
                        "input": {"command": f"grep -n x {path}"},
                    },
                ],
            }
        )
        out = [{"type": "text", "text": read_output(i)}]
        msgs.append(
            {
                "role": "user",
                "content": [
                    {"type": "tool_result", "tool_use_id": read, "content": out},
                    {
                        "type": "tool_result",
                        "tool_use_id": grep,
                        "content": f"{path}:12: x = {i}",
                        "is_error": False,
                    },
                ],
            }
        )
    edit = {"file_path": "/srv/app/rows.py", "old_string": "a = 1", "new_string": "a = 2"}
    msgs.append(
        {
            "role": "assistant",
            "content": [{"type": "tool_use", "id": "toolu_edit", "name": "Edit", "input": edit}],
        }
    )
    msgs.append(
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_edit", "content": "ok"}]}
    )
    return {"model": MODEL, "max_tokens": 1024, "system": "You are a coding agent.", "messages": msgs}


def responses_session(turns: int = 3) -> dict[str, Any]:
    items: list[dict[str, Any]] = [
        {"type": "message", "role": "user", "content": [{"type": "input_text", "text": TASK}]}
    ]
    for i in range(turns):
        items += [
            {
                "type": "message",
                "role": "assistant",
                "content": [{"type": "output_text", "text": f"Reading mod_{i}."}],
            },
            {
                "type": "function_call",
                "call_id": f"c{i}",
                "name": "Read",
                "arguments": json.dumps({"file_path": f"/srv/mod_{i}.py"}),
            },
            {"type": "function_call_output", "call_id": f"c{i}", "output": read_output(i, 2)},
        ]
    return {"model": "gpt-4o", "input": items}


# -- a Read tool's output is a file view ---------------------------------------------------------
def test_arrow_numbered_lines_are_a_file_view_cut_by_lines() -> None:
    text = read_output(3)
    assert code_view.is_code_view(text)
    out = shrink_to(text, count(text) // 4, count, "Read output")
    for line in ("class RowWriter3(BaseWriter):", "def write_rows_3(self, lines):"):
        kept = next(s for s in text.split("\n") if line in s)
        assert kept in out.split("\n")  # verbatim, with its number and arrow
    assert "⋮ marks lines left out" in out


def test_a_masked_read_output_lists_its_code_names() -> None:
    short = placeholder("Read", 900, read_output(5))
    for name in ("hdrs_list_5", "padded_5", "col_widths_5", "write_rows_5"):
        assert name in short
    assert "/" not in short.split("; mentions: ")[1].split(",")[0]  # no path made of a code line


# -- Anthropic: what the summary reads ------------------------------------------------------------
def test_anthropic_results_fold_as_tool_outputs_with_their_tool_names() -> None:
    conv = get_adapter("anthropic").parse(anthropic_session(2))
    dropped = dropped_messages(list(conv.groups))
    tools = [(d.tool_name, d.text.split("\n", 1)[0]) for d in dropped if d.role == "tool"]
    assert [name for name, _ in tools] == ["Read", "Bash", "Read", "Bash", "Edit"]
    assert tools[1][1] == "/srv/app/mod_0.py:12: x = 0"  # one output each, not joined
    assert not any(d.role == "user" and "RowWriter" in d.text for d in dropped)
    calls = [c for d in dropped for c in d.calls]
    assert calls[:2] == ["Read /srv/app/mod_0.py", "Bash grep -n x /srv/app/mod_0.py"]
    assert calls[-1].startswith("Edit /srv/app/rows.py")


def test_a_tool_use_reads_as_a_call_not_json() -> None:
    seg = next(
        s
        for m in get_adapter("anthropic").parse(anthropic_session(1)).messages()
        for s in m.segments
        if s.kind == "tool_call"
    )
    assert describe_call(seg.text) == "Read /srv/app/mod_0.py"
    assert describe_call('{"name": "search", "args": {"query": "rows"}}') == "search rows"  # Gemini
    grep = {"name": "Grep", "input": {"path": "src/", "pattern": "def write", "-n": True}}
    assert describe_call(json.dumps(grep)) == "Grep def write src/"  # as ``grep`` reads


async def test_an_anthropic_session_keeps_the_names_of_folded_reads() -> None:
    body = anthropic_session(8)
    tokens = COUNTER.count_request("anthropic", body, MODEL)
    compactor = Compactor(SETTINGS, counter=COUNTER)
    result = await compactor.compress(body, "anthropic", MODEL, Limits(int(tokens * 0.85), None, 1024))
    assert result.body is not None
    sent = json.dumps(result.body)
    assert "summary of earlier conversation" in sent
    for i in range(8):  # every Read's names survive: kept, masked or on the digest's trail
        assert f"hdrs_list_{i}" in sent, i
    assert violations("anthropic", result.body) <= violations("anthropic", body)
    assert result.body["messages"][0]["content"][0]["text"] == TASK


# -- Responses: one model turn, one group ---------------------------------------------------------
def test_a_responses_turn_is_one_group() -> None:
    conv = get_adapter("openai-responses").parse(responses_session(3))
    kinds = [[m.raw.get("type") for m in g.messages] for g in conv.groups]
    assert kinds == [["message"]] + [["message", "function_call", "function_call_output"]] * 3


# -- the summary's span pays for its names' room --------------------------------------------------
NAMES = 8  # names a view defines (12 views: 96, within the trail's 128)


def chat_view_session(n: int) -> dict[str, Any]:
    """``n`` file views of ``NAMES`` assignments each, on Chat Completions (OpenHands' tools)."""
    msgs: list[dict[str, Any]] = [
        {"role": "system", "content": "You are a coding agent."},
        {"role": "user", "content": "Fix the rows writer."},
    ]
    for i in range(n):
        lines = ["import os", ""] + [f"# {filler(i + k, 10)}" for k in range(30)]
        lines += [f"    name_{i}_{k} = self.name_{i}_{k}_src.value_{k}" for k in range(NAMES)]
        view = f"Here's the result of running `cat -n` on /srv/app/m{i}.py:\n"
        view += "\n".join(f"{k + 1:6}\t{s}" for k, s in enumerate(lines))
        args = json.dumps({"command": "view", "path": f"/srv/app/m{i}.py"})
        call = {
            "id": f"call_{i}",
            "type": "function",
            "function": {"name": "str_replace_editor", "arguments": args},
        }
        msgs.append({"role": "assistant", "content": f"Reading m{i}.", "tool_calls": [call]})
        msgs.append({"role": "tool", "tool_call_id": f"call_{i}", "content": view})
    return {"model": "gpt-4o", "messages": msgs, "max_tokens": 1000}


async def test_the_folded_span_grows_to_pay_for_its_names_so_nothing_is_dropped_whole() -> None:
    body = chat_view_session(12)
    tokens = COUNTER.count_request("openai-chat", body, "gpt-4o")
    compactor = Compactor(SETTINGS, counter=COUNTER)
    result = await compactor.compress(
        body, "openai-chat", "gpt-4o", Limits(int(tokens * 0.9) + 1000, None, 1000)
    )
    assert result.body is not None
    assert "drop" not in dict(result.stages)  # the summary covered its own names' room
    sent = json.dumps(result.body)
    assert [i for i in range(12) if f"/srv/app/m{i}.py" not in sent] == []  # every view still named


# -- parallel calls: results are counted as results ------------------------------------------------
async def test_keep_tool_results_counts_results_not_the_messages_carrying_them() -> None:
    from proxy.compress.stages import MaskStage
    from tests.unit.compress.stagekit import stage_kit

    msgs = anthropic_session(6)  # two results a user message (a Read and a Bash, in parallel)
    for m in msgs["messages"]:  # outputs large enough to mask
        for b in m["content"]:
            if b["type"] == "tool_result" and isinstance(b["content"], str):
                b["content"] = b["content"] + "\n" + filler(7, 300)
    kit = stage_kit(msgs["messages"], target=0.2, api="anthropic", keep_tool_results=3, keep_recent_groups=1)
    await kit.run(MaskStage())
    whole = [
        b
        for m in kit.items()
        if m["role"] == "user"
        for b in m["content"]
        if b["type"] == "tool_result" and "ctxproxy:" not in json.dumps(b["content"])
    ]
    assert len(whole) == 3  # the edit's result and the two before it (one message), not five
    assert not kit.new_violations()
    masked = [
        b["content"]
        for m in kit.items()
        if m["role"] == "user"
        for b in m["content"]
        if b["type"] == "tool_result"
    ]
    assert masked[1].startswith("[ctxproxy: output of Bash omitted")  # its own tool, not the Read's
    assert json.dumps(masked[0]).startswith('[{"type": "text", "text": "[ctxproxy: output of Read omitted')
