"""A real Chat Completions agent session re-sent on another wire, with another tool vocabulary.

ctxproxy's agent-session figures come from OpenHands sessions: Chat Completions, tools
``str_replace_editor`` / ``execute_bash``. Users run other agents through the proxy. To see
whether the compression keeps the same facts there, a session is converted before it is
compressed:

- ``--tools claude-code``: ``str_replace_editor view`` → ``Read`` {file_path, offset, limit},
  its output rendered as Claude Code's Read returns it (``     1→line``, no header line; a
  directory listing becomes a ``Bash`` ``find``); ``str_replace`` → ``Edit`` {file_path,
  old_string, new_string} (``insert`` too, as an edit); ``create`` → ``Write`` {file_path,
  content}; ``execute_bash`` → ``Bash`` {command}, its output without OpenHands' echoed command
  and shell trailer. Other tools keep their names. ``--tools claude-code-reminders``: the
  same, each ``Read`` result followed by the ``<system-reminder>`` block Claude Code appends.
- ``--wire anthropic``: Messages; the system prompt in the top-level ``system``; assistant
  ``tool_use`` blocks with the original ids; the results as ``tool_result`` blocks (a list of
  text blocks, ``is_error`` on a failed call), consecutive results in one user message;
  same-role neighbours merged so roles alternate.
- ``--wire responses``: ``instructions`` plus ``input`` items (``message``,
  ``function_call`` / ``function_call_output`` by ``call_id``).
- ``--wire text``: Chat Completions as OpenHands sends it to a model without native tool
  calling: each call written in the assistant's text, each output a user message opened by
  ``EXECUTION RESULT of [name]:`` (:mod:`tests.bench.reader.agent_text`).
- ``--wire cline``: Chat Completions as Cline or Roo Code sends it: XML calls named after its
  tools in the assistant's text, each output a user message opened by a text part
  ``[read_file for 'path'] Result:`` (:mod:`tests.bench.reader.agent_cline`); the calls in
  Claude Code's vocabulary first, whatever ``--tools`` says.

:func:`tests.bench.reader.wire_view.chat_view` reads any of these wires back as chat
messages, so that the facts metric and the checks read every wire the same way.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

from tests.bench.reader.agent_cline import to_cline
from tests.bench.reader.agent_text import to_text
from tests.bench.reader.reading import message_text

WIRES = {
    "chat": "openai-chat",
    "anthropic": "anthropic",
    "responses": "openai-responses",
    "text": "openai-chat",
    "cline": "openai-chat",
}
TOOLSETS = ("openhands", "claude-code", "claude-code-reminders")
REMINDER = (  # what Claude Code appends to a Read result (``claude-code-reminders``)
    "\n\n<system-reminder>\nWhenever you read a file, you should consider whether it would be "
    "considered malware. You CAN and SHOULD provide analysis of malware, what it is doing. But you "
    "MUST refuse to improve or augment the code. You can still analyze existing code, write "
    "reports, or answer questions about the code behavior.\n</system-reminder>\n"
)

_NUMBERED = re.compile(r"^(\s*\d+)\t", re.M)
_EDITED = re.compile(
    r"^The file (\S+) has been edited\. Here's the result of running `cat -n` on a snippet of \S+:"
)
_SHELL_TAIL = re.compile(
    r"(?:\[Python Interpreter: [^\]]*\]\s*)?(?:root@[^\n]*# ?\s*)?\[Command finished with exit code (-?\d+)\]\s*$"
)

_PARAMS = {  # Claude Code's tools: name → (description, {parameter: type}, required)
    "Read": (
        "Reads a file (cat -n format, lines from 1).",
        {"file_path": "string", "offset": "number", "limit": "number"},
        ["file_path"],
    ),
    "Edit": (
        "Exact string replacements in a file.",
        {"file_path": "string", "old_string": "string", "new_string": "string"},
        ["file_path", "old_string", "new_string"],
    ),
    "Write": ("Writes a file.", {"file_path": "string", "content": "string"}, ["file_path", "content"]),
    "Bash": ("Executes a bash command.", {"command": "string", "description": "string"}, ["command"]),
}
CLAUDE_TOOLS = [
    {
        "name": name,
        "description": text,
        "parameters": {
            "type": "object",
            "properties": {k: {"type": t} for k, t in props.items()},
            "required": req,
        },
    }
    for name, (text, props, req) in _PARAMS.items()
]


# -- the tool vocabulary -------------------------------------------------------------------------
def arrow_lines(text: str) -> str:
    """``     1\\tline`` → ``     1→line`` (Claude Code's Read)."""
    return _NUMBERED.sub(lambda m: m.group(1) + "→", text)


def _call(name: str, args: dict[str, Any], output: str) -> tuple[str, dict[str, Any], str, bool]:
    """(name, arguments, output, failed) of one OpenHands call in Claude Code's vocabulary."""
    failed = output.startswith("ERROR:")
    if name == "execute_bash":
        command = str(args.get("command", ""))
        text = output.replace("\r\n", "\n")
        if text.split("\n", 1)[0].strip() == command.strip().split("\n", 1)[0].strip():
            text = text.split("\n", 1)[1] if "\n" in text else ""  # OpenHands echoes the command
        tail = _SHELL_TAIL.search(text)
        if tail:
            failed = tail.group(1) != "0"
            text = text[: tail.start()].rstrip() + (f"\nExit code {tail.group(1)}" if failed else "")
        return "Bash", {"command": command}, text, failed
    if name != "str_replace_editor":
        return name, args, output, failed
    cmd, path = args.get("command"), str(args.get("path", ""))
    if cmd == "view" and output.startswith("Here's the files and directories"):
        listing = output.split("\n", 1)[1] if "\n" in output else ""
        return "Bash", {"command": f"find {path} -maxdepth 2 -not -path '*/.*'"}, listing, failed
    if cmd == "view":
        read: dict[str, Any] = {"file_path": path}
        span = args.get("view_range")
        if isinstance(span, list) and len(span) == 2:
            read["offset"] = span[0]
            if isinstance(span[1], int) and span[1] >= span[0]:
                read["limit"] = span[1] - span[0] + 1
        if output.startswith("Here's the result of running `cat -n`"):
            output = output.split("\n", 1)[1] if "\n" in output else ""
        return "Read", read, arrow_lines(output), failed
    if cmd in ("str_replace", "insert"):
        edit = {
            "file_path": path,
            "old_string": str(args.get("old_str", "")),
            "new_string": str(args.get("new_str", "")),
        }
        m = _EDITED.match(output)
        if m:
            body = output[m.end() :].split("\nReview the changes", 1)[0]
            output = (
                f"The file {m.group(1)} has been updated. Here's the result of running `cat -n` "
                f"on a snippet of the edited file:{arrow_lines(body)}"
            )
        return "Edit", edit, output, failed
    if cmd == "create":
        return "Write", {"file_path": path, "content": str(args.get("file_text", ""))}, output, failed
    return name, args, output, failed


def _tool_defs(body: dict[str, Any], tools: str) -> list[dict[str, Any]]:
    """The request's tools as (name, description, parameters)."""
    defs = [t.get("function", t) for t in body.get("tools") or []]
    if tools.startswith("claude-code"):
        defs = CLAUDE_TOOLS + [d for d in defs if d.get("name") not in ("str_replace_editor", "execute_bash")]
    return [
        {"name": d["name"], "description": d.get("description", ""), "parameters": d.get("parameters", {})}
        for d in defs
    ]


def neutral(body: dict[str, Any], tools: str) -> list[dict[str, Any]]:
    """The chat messages as (role, text, calls, results) records, in the chosen vocabulary."""
    out: list[dict[str, Any]] = []
    calls: dict[str, tuple[str, dict[str, Any]]] = {}
    for m in body["messages"]:
        role, text = m.get("role"), message_text(m)
        if role == "assistant":
            made = []
            for c in m.get("tool_calls") or []:
                fn = c.get("function") or {}
                try:
                    args = json.loads(fn.get("arguments") or "{}")
                except ValueError:
                    args = {"input": fn.get("arguments")}
                calls[c["id"]] = (
                    str(fn.get("name", "")),
                    args if isinstance(args, dict) else {"input": args},
                )
                made.append(c["id"])
            out.append({"role": "assistant", "text": text, "calls": made})
        elif role == "tool":
            cid = str(m.get("tool_call_id"))
            name, args = calls.get(cid, (str(m.get("name", "")), {}))
            failed = False
            if tools.startswith("claude-code"):
                name, args, text, failed = _call(name, args, text)
                if tools == "claude-code-reminders" and name == "Read" and not failed:
                    text += REMINDER
            calls[cid] = (name, args)
            out.append({"role": "tool", "id": cid, "text": text, "error": failed})
        else:
            out.append({"role": role, "text": text})
    for rec in out:
        if rec["role"] == "assistant":
            rec["calls"] = [(cid, *calls[cid]) for cid in rec["calls"]]
    return out


# -- the wires -----------------------------------------------------------------------------------
def convert(body: dict[str, Any], wire: str, tools: str = "openhands") -> dict[str, Any]:
    """``body`` (Chat Completions) on ``wire`` with ``tools``' vocabulary."""
    if wire == "chat" and tools == "openhands":
        return copy.deepcopy(body)
    if wire == "text":  # Chat Completions without native tool calls (:mod:`.agent_text`)
        return to_text(convert(body, "chat", tools))
    if wire == "cline":  # as Cline sends it, in its own vocabulary (:mod:`.agent_cline`)
        recs = neutral(body, "claude-code")
        described = "\n\n".join(
            f"## {d['name']}\nDescription: {d['description']}" for d in _tool_defs(body, "claude-code")
        )
        messages = to_cline(recs, "\n\n# Tools\n\n" + described)
        return {**{k: v for k, v in body.items() if k not in ("messages", "tools")}, "messages": messages}
    recs = neutral(body, tools)
    defs = _tool_defs(body, tools)
    system = "\n\n".join(r["text"] for r in recs if r["role"] == "system")
    rest = [r for r in recs if r["role"] != "system"]
    extra = {k: v for k, v in body.items() if k not in ("messages", "tools", "max_tokens")}
    if wire == "chat":
        return {
            **extra,
            "messages": _chat(recs),
            "tools": [{"type": "function", "function": d} for d in defs],
            **_max(body, "max_tokens"),
        }
    if wire == "anthropic":
        tools_out = [
            {"name": d["name"], "description": d["description"], "input_schema": d["parameters"]}
            for d in defs
        ]
        return {
            **extra,
            "system": system,
            "messages": _anthropic(rest),
            "tools": tools_out,
            "max_tokens": body.get("max_tokens", 4096),
        }
    if wire == "responses":
        tools_out = [{"type": "function", **d} for d in defs]
        return {
            **extra,
            "instructions": system,
            "input": _responses(rest),
            "tools": tools_out,
            **_max(body, "max_output_tokens"),
        }
    raise ValueError(f"unknown wire {wire!r}")


def _max(body: dict[str, Any], key: str) -> dict[str, Any]:
    return {key: body["max_tokens"]} if "max_tokens" in body else {}


def _chat(recs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for r in recs:
        if r["role"] == "assistant":
            msg: dict[str, Any] = {"role": "assistant", "content": r["text"]}
            if r["calls"]:
                msg["tool_calls"] = [
                    {"id": cid, "type": "function", "function": {"name": n, "arguments": json.dumps(a)}}
                    for cid, n, a in r["calls"]
                ]
            out.append(msg)
        elif r["role"] == "tool":
            out.append({"role": "tool", "tool_call_id": r["id"], "content": r["text"]})
        else:
            out.append({"role": r["role"], "content": r["text"]})
    return out


def _anthropic(recs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for r in recs:
        if r["role"] == "assistant":
            role = "assistant"
            blocks: list[dict[str, Any]] = [{"type": "text", "text": r["text"]}] if r["text"].strip() else []
            blocks += [{"type": "tool_use", "id": cid, "name": n, "input": a} for cid, n, a in r["calls"]]
            blocks = blocks or [{"type": "text", "text": "(no content)"}]
        elif r["role"] == "tool":
            role = "user"
            result = {
                "type": "tool_result",
                "tool_use_id": r["id"],
                "content": [{"type": "text", "text": r["text"] or "(no output)"}],
            }
            blocks = [{**result, "is_error": True} if r["error"] else result]
        else:
            role, blocks = "user", [{"type": "text", "text": r["text"]}]
        if out and out[-1]["role"] == role:  # alternation: a result after a result joins it
            out[-1]["content"] += blocks
        else:
            out.append({"role": role, "content": blocks})
    for m in out:  # tool results lead a user message
        if m["role"] == "user":
            m["content"].sort(key=lambda b: b["type"] != "tool_result")
    return out


def _responses(recs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for r in recs:
        if r["role"] == "assistant":
            if r["text"].strip():
                out.append(
                    {
                        "type": "message",
                        "role": "assistant",
                        "content": [{"type": "output_text", "text": r["text"]}],
                    }
                )
            out += [
                {"type": "function_call", "call_id": cid, "name": n, "arguments": json.dumps(a)}
                for cid, n, a in r["calls"]
            ]
        elif r["role"] == "tool":
            out.append({"type": "function_call_output", "call_id": r["id"], "output": r["text"]})
        else:
            out.append(
                {"type": "message", "role": "user", "content": [{"type": "input_text", "text": r["text"]}]}
            )
    return out
