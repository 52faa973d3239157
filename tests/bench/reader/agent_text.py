"""A Chat Completions agent session as an agent sends it to a model without native tool calling
(``--wire text``), and read back.

OpenHands' format for such models (its ``fn_call_converter``, after LiteLLM's function-call
prompt): no ``tools`` field; the tools described at the end of the system prompt; each call
written at the end of the assistant's text as ``<function=NAME>`` with one
``<parameter=KEY>value</parameter>`` a line, closed by ``</function>``; each output sent as a
user message opened by ``EXECUTION RESULT of [NAME]:``. :func:`from_text` reads such a request
back as chat messages (calls with ids, outputs as ``tool`` messages), so that the facts metric
and the checks read it as they read the other wires.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

from tests.bench.reader.reading import content_text

_RESULT = re.compile(r"\AEXECUTION RESULT of \[([^\]\n]+)\]:\n")
_CALL = re.compile(r"<function=([^>\n]+)>\n(.*?)</function>", re.S)
_PARAM = re.compile(r"<parameter=([^>\n]+)>\n?(.*?)\n?</parameter>", re.S)


def _describe(tools: list[dict[str, Any]]) -> str:
    out = []
    for i, tool in enumerate(tools, 1):
        fn = tool.get("function", tool)
        out.append(
            f"---- BEGIN FUNCTION #{i}: {fn['name']} ----\nDescription: {fn.get('description', '')}\n"
            f"Parameters: {json.dumps(fn.get('parameters', {}))}\n---- END FUNCTION #{i} ----"
        )
    return "\n".join(out)


def _call_text(call: dict[str, Any]) -> str:
    fn = call["function"]
    try:
        args = json.loads(fn.get("arguments") or "{}")
    except ValueError:
        args = {"arguments": fn.get("arguments")}
    lines = [f"<function={fn['name']}>"]
    for key, value in (args if isinstance(args, dict) else {"value": args}).items():
        text = value if isinstance(value, str) else json.dumps(value)
        lines.append(
            f"<parameter={key}>\n{text}\n</parameter>"
            if "\n" in text
            else f"<parameter={key}>{text}</parameter>"
        )
    return "\n".join(lines) + "\n</function>"


def to_text(body: dict[str, Any]) -> dict[str, Any]:
    """A Chat Completions request with tool calls, as sent without native tool calling."""
    names: dict[str, str] = {}
    msgs: list[dict[str, Any]] = []
    suffix = "\n\nYou have access to the following functions:\n\n" + _describe(body.get("tools") or [])
    for m in body["messages"]:
        role, text = m.get("role"), content_text(m.get("content"))
        if role == "system":
            msgs.append({"role": "system", "content": text + suffix})
        elif role == "assistant":
            calls = m.get("tool_calls") or []
            names.update((c["id"], c["function"]["name"]) for c in calls)
            written = "\n\n".join(_call_text(c) for c in calls)
            msgs.append(
                {"role": "assistant", "content": (text + "\n\n" + written).strip() if written else text}
            )
        elif role == "tool":
            name = names.get(m.get("tool_call_id", ""), "function")
            msgs.append({"role": "user", "content": f"EXECUTION RESULT of [{name}]:\n{text}"})
        else:
            msgs.append({"role": "user", "content": text})
    return {**{k: v for k, v in body.items() if k not in ("messages", "tools")}, "messages": msgs}


Output = Callable[[dict[str, Any]], "str | None"]  # a user message's tool output (None: it holds none)


def read_back(
    body: dict[str, Any], call: re.Pattern[str], param: re.Pattern[str], output: Output, prefix: str
) -> dict[str, Any]:
    """A request whose calls are written as text read back as chat messages: each ``call``
    match in an assistant's text a ``tool_calls`` entry (its ``param`` matches the arguments,
    its id from the call's text: the same after a compaction), each user message ``output``
    reads a ``tool`` message answering the call before it."""
    msgs: list[dict[str, Any]] = []
    pending: list[str] = []
    for m in body.get("messages", []):
        role, text = m.get("role"), content_text(m.get("content"))
        if role == "assistant":
            calls = []
            for found in call.finditer(text):
                args = {p.group(1): p.group(2) for p in param.finditer(found.group(2))}
                fn = {"name": found.group(1), "arguments": json.dumps(args)}
                cid = f"{prefix}-" + hashlib.blake2b(found.group(0).encode(), digest_size=6).hexdigest()
                calls.append({"id": cid, "type": "function", "function": fn})
            pending = [c["id"] for c in calls]
            prose = call.sub("", text).strip()
            msgs.append({"role": "assistant", "content": prose, **({"tool_calls": calls} if calls else {})})
        elif role == "user" and (out := output(m)) is not None:
            cid = pending.pop(0) if pending else f"{prefix}-orphan-{len(msgs)}"
            msgs.append({"role": "tool", "tool_call_id": cid, "content": out})
        else:
            msgs.append({"role": role, "content": text})
    return {"messages": msgs, "tools": []}


def _output(m: dict[str, Any]) -> str | None:
    text = content_text(m.get("content"))
    r = _RESULT.match(text)
    return text[r.end() :] if r else None


def from_text(body: dict[str, Any]) -> dict[str, Any]:
    """A request of :func:`to_text`'s form read back as chat messages with calls and outputs."""
    return read_back(body, _CALL, _PARAM, _output, "text")
