"""Any wire read back as chat messages, for the agent-session metrics (:mod:`.agent`).

An Anthropic Messages or OpenAI Responses request (:mod:`.agent_wires`) becomes ``system``,
``user``, ``assistant`` (text and ``tool_calls``) and ``tool`` (by ``tool_call_id``) messages:
the facts metric reads tool-call arguments in ``tool_use.input`` / ``function_call.arguments``
and tool outputs in ``tool_result`` / ``function_call_output`` as it reads them on Chat
Completions. A summary the proxy appended to the first user message stays in that message.
"""

from __future__ import annotations

import json
from typing import Any

from tests.bench.reader.agent_cline import from_cline
from tests.bench.reader.agent_text import from_text
from tests.bench.reader.reading import content_text as _texts


def chat_view(body: dict[str, Any], wire: str) -> dict[str, Any]:
    """``body`` of ``wire`` read as chat messages: ``system``, ``user``, ``assistant`` with
    ``tool_calls``, ``tool`` results by ``tool_call_id``; the tool definitions as they are."""
    if wire == "chat":
        return body
    if wire == "text":
        return from_text(body)
    if wire == "cline":
        return from_cline(body)
    msgs: list[dict[str, Any]] = []
    system = _texts(body.get("system" if wire == "anthropic" else "instructions"))
    if system:
        msgs.append({"role": "system", "content": system})

    def call(cid: Any, name: Any, args: Any) -> dict[str, Any]:
        arguments = args if isinstance(args, str) else json.dumps(args)
        return {"id": str(cid), "type": "function", "function": {"name": str(name), "arguments": arguments}}

    if wire == "anthropic":
        for m in body.get("messages", []):
            blocks = m.get("content")
            blocks = [{"type": "text", "text": blocks}] if isinstance(blocks, str) else blocks or []
            texts = "\n".join(str(b.get("text", "")) for b in blocks if b.get("type") == "text")
            if m.get("role") == "assistant":
                uses = [
                    call(b.get("id"), b.get("name"), b.get("input", {}))
                    for b in blocks
                    if b.get("type") == "tool_use"
                ]
                msgs.append({"role": "assistant", "content": texts, **({"tool_calls": uses} if uses else {})})
                continue
            for b in blocks:
                if b.get("type") == "tool_result":
                    msgs.append(
                        {
                            "role": "tool",
                            "tool_call_id": str(b.get("tool_use_id")),
                            "content": _texts(b.get("content")),
                        }
                    )
            if any(b.get("type") == "text" for b in blocks):
                msgs.append({"role": "user", "content": texts})
        return {"messages": msgs, "tools": body.get("tools", [])}
    for item in body.get("input", []):
        kind = item.get("type", "message")
        if kind == "function_call":
            if not msgs or msgs[-1]["role"] != "assistant":
                msgs.append({"role": "assistant", "content": ""})
            msgs[-1].setdefault("tool_calls", []).append(
                call(item.get("call_id"), item.get("name"), item.get("arguments", ""))
            )
        elif kind == "function_call_output":
            msgs.append(
                {
                    "role": "tool",
                    "tool_call_id": str(item.get("call_id")),
                    "content": _texts(item.get("output")),
                }
            )
        elif kind == "message":
            role = item.get("role", "user")
            msgs.append(
                {"role": "system" if role == "developer" else role, "content": _texts(item.get("content"))}
            )
    return {"messages": msgs, "tools": body.get("tools", [])}
