"""A Chat Completions agent session as Cline (or Roo Code) sends it (``--wire cline``), and read
back.

Cline describes its tools in the system prompt and sends no ``tools`` field. The model writes
one call at the end of its text as XML named after the tool, one parameter a line
(``<read_file>`` ``<path>src/app.py</path>`` ``</read_file>``). Cline sends the output back as
a user message whose content is a list of text parts: the first ``[read_file for
'src/app.py'] Result:``, the next the output. The session's calls, in Claude Code's vocabulary
(:func:`tests.bench.reader.agent_wires.neutral`), become Cline's: ``Read`` → ``read_file``,
``Bash`` → ``execute_command``, ``Edit`` → ``replace_in_file`` (a SEARCH / REPLACE block),
``Write`` → ``write_to_file``, OpenHands' ``finish`` → ``attempt_completion``; any other keeps
its name. :func:`from_cline` reads such a request back as chat messages with calls and outputs.
"""

from __future__ import annotations

import json
import re
from typing import Any

from tests.bench.reader.agent_text import read_back
from tests.bench.reader.reading import content_text

_RESULT = re.compile(r"\A\[([a-z_]+)(?: for '[^\n]*')?\] Result:\Z")
_CALL = re.compile(
    r"<(read_file|execute_command|replace_in_file|write_to_file|attempt_completion)>\n(.*?)\n</\1>", re.S
)
_PARAM = re.compile(r"<([a-z_]+)>\n?(.*?)\n?</\1>", re.S)


def _cline_call(name: str, args: dict[str, Any]) -> tuple[str, dict[str, str], str]:
    """(Cline's tool, its parameters, what its result line names) for a Claude Code call."""
    if name == "Read":
        path = str(args.get("file_path", ""))
        return "read_file", {"path": path}, path
    if name == "Bash":
        command = str(args.get("command", ""))
        return "execute_command", {"command": command, "requires_approval": "false"}, command
    if name == "Edit":
        path = str(args.get("file_path", ""))
        diff = f"------- SEARCH\n{args.get('old_string', '')}\n=======\n{args.get('new_string', '')}\n+++++++ REPLACE"
        return "replace_in_file", {"path": path, "diff": diff}, path
    if name == "Write":
        path = str(args.get("file_path", ""))
        return "write_to_file", {"path": path, "content": str(args.get("content", ""))}, path
    if name == "finish":
        return "attempt_completion", {"result": str(args.get("message", ""))}, ""
    shown = {k: v if isinstance(v, str) else json.dumps(v) for k, v in args.items()}
    return name, shown, ""


def _xml(name: str, params: dict[str, str]) -> str:
    inner = "\n".join(f"<{k}>\n{v}\n</{k}>" if "\n" in v else f"<{k}>{v}</{k}>" for k, v in params.items())
    return f"<{name}>\n{inner}\n</{name}>"


def to_cline(recs: list[dict[str, Any]], system_suffix: str) -> list[dict[str, Any]]:
    """Chat messages as Cline sends them, from :func:`neutral`'s records (Claude Code's
    vocabulary)."""
    out: list[dict[str, Any]] = []
    said: dict[str, str] = {}  # call id → what its result line names: ``[read_file for 'x']``
    for r in recs:
        if r["role"] == "system":
            out.append({"role": "system", "content": r["text"] + system_suffix})
        elif r["role"] == "assistant":
            written = []
            for cid, tool, args in r["calls"]:
                if tool == "think":  # Cline has no such tool: a thought is text
                    written.append(str(args.get("thought", "")))
                    continue
                name, params, target = _cline_call(tool, args)
                said[cid] = f"[{name} for '{target}']" if target else f"[{name}]"
                written.append(_xml(name, params))
            text = "\n\n".join([r["text"], *written]).strip()
            out.append({"role": "assistant", "content": text})
        elif r["role"] == "tool":
            if r["id"] not in said:  # a thought's acknowledgement: Cline has none
                continue
            parts = [{"type": "text", "text": f"{said.get(r['id'], '[tool]')} Result:"}]
            parts.append({"type": "text", "text": r["text"] or "(tool did not return anything)"})
            out.append({"role": "user", "content": parts})
        else:
            out.append({"role": "user", "content": [{"type": "text", "text": r["text"]}]})
    return out


def _output(m: dict[str, Any]) -> str | None:
    content = m.get("content")
    parts = content if isinstance(content, list) else [{"type": "text", "text": content_text(content)}]
    first = str(parts[0].get("text", "")) if parts else ""
    return content_text(parts[1:]) if _RESULT.match(first) else None


def from_cline(body: dict[str, Any]) -> dict[str, Any]:
    """A request of :func:`to_cline`'s form read back as chat messages with calls and outputs."""
    return read_back(body, _CALL, _PARAM, _output, "cline")
