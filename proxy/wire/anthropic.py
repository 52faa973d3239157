"""Anthropic Messages (``system`` + ``messages`` with content blocks)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from proxy.wire.base import PerItemAdapter, TurnsAdapter, first_int, render_body
from proxy.wire.conversation import Conversation, Message, Role, Segment
from proxy.wire.conversation import dump_text as _dump
from proxy.wire.families import FamilyName
from proxy.wire.shape import check_anthropic
from proxy.wire.text_tools import text_protocol
from proxy.wire.usage import Usage, as_int, first_dict

_THINKING = ("thinking", "redacted_thinking")
_PINNED = ("compaction",)


def _result_segments(block: dict[str, Any], i: int) -> list[Segment]:
    content = block.get("content")
    if isinstance(content, str):
        return [Segment("tool_output", ("content", i, "content"), content, True)]
    segs: list[Segment] = []
    if isinstance(content, list):
        for j, part in enumerate(content):
            if isinstance(part, dict) and part.get("type") == "text" and isinstance(part.get("text"), str):
                segs.append(Segment("tool_output", ("content", i, "content", j, "text"), part["text"], True))
            elif isinstance(part, dict) and part.get("type") in ("image", "document"):
                segs.append(Segment("image", ("content", i, "content", j), "", False))
            else:
                segs.append(Segment("opaque", ("content", i, "content", j), _dump(part), False))
    return segs


class AnthropicAdapter(PerItemAdapter, TurnsAdapter):
    api = "anthropic"
    container = "messages"
    message_overhead = 4
    summary_overhead = 0  # the summary is one more text block of the first user message

    def check(self, body: dict[str, Any]) -> str | None:
        return check_anthropic(body)

    def parse_message(self, raw: Any, index: int, names: dict[str, str]) -> Message:
        if not isinstance(raw, dict):
            return Message(raw=raw, role="user", segments=(Segment("opaque", (), _dump(raw)),), index=index)
        role: Role = "assistant" if raw.get("role") == "assistant" else "user"
        content = raw.get("content")
        if isinstance(content, str):
            return text_protocol(
                Message(
                    raw=raw, role=role, segments=(Segment("text", ("content",), content, True),), index=index
                )
            )
        segs: list[Segment] = []
        calls: list[str] = []
        results: list[str] = []
        opaque = pinned = False
        for i, block in enumerate(content if isinstance(content, list) else ()):
            if not isinstance(block, dict):
                continue
            btype = block.get("type")
            if btype == "text" and isinstance(block.get("text"), str):
                segs.append(Segment("text", ("content", i, "text"), block["text"], True))
            elif btype == "tool_use":
                cid = str(block.get("id", ""))
                calls.append(cid)
                names[cid] = str(block.get("name", ""))
                call = {"name": names[cid], "input": block.get("input", {})}
                segs.append(Segment("tool_call", ("content", i), _dump(call)))
            elif btype == "tool_result":
                results.append(str(block.get("tool_use_id", "")))
                segs.extend(_result_segments(block, i))
            elif btype in ("image", "document"):
                segs.append(Segment("image", ("content", i), "", False))
            elif btype in _THINKING:
                opaque = True
                segs.append(
                    Segment(
                        "reasoning", ("content", i), str(block.get("thinking") or block.get("data") or "")
                    )
                )
            else:
                pinned = pinned or btype in _PINNED
                opaque = opaque or btype in _PINNED
                segs.append(Segment("opaque", ("content", i), _dump(block)))
        if opaque:
            segs = [
                s if s.kind in ("reasoning", "opaque", "image") else Segment(s.kind, s.path, s.text, False)
                for s in segs
            ]
        tool_name = names.get(results[0]) if results else None
        msg = Message(
            raw=raw,
            role=role,
            segments=tuple(segs),
            calls=tuple(calls),
            results=tuple(results),
            tool_name=tool_name,
            opaque=opaque,
            pinned=pinned,
            index=index,
        )
        return text_protocol(msg)

    def with_summary(self, raw: dict[str, Any], summary: str) -> dict[str, Any]:
        """The first user message plus one text block holding the anchored summary."""
        content = raw.get("content")
        blocks = [{"type": "text", "text": content}] if isinstance(content, str) else list(content or [])
        blocks.append({"type": "text", "text": summary})
        return {**raw, "content": blocks}

    def render(self, conv: Conversation) -> dict[str, Any]:
        return render_body(conv, self.render_items(conv))

    def fixed_texts(self, body: dict[str, Any]) -> list[str]:
        out = []
        system = body.get("system")
        if isinstance(system, str):
            out.append(system)
        elif isinstance(system, list):
            out.extend(str(b.get("text", "")) if isinstance(b, dict) else _dump(b) for b in system)
        if body.get("tools"):
            out.append(_dump(body["tools"]))
        return out

    def reserved_output(self, body: dict[str, Any]) -> int | None:
        return first_int(body, "max_tokens")

    def summary_item(self, text: str) -> dict[str, Any]:
        return {"role": "user", "content": [{"type": "text", "text": text}]}

    # -- everything else the proxy needs to know about this API --

    family: FamilyName = "anthropic"
    image_tokens = 1600
    name_key: str | None = None
    explicit_cache = True
    path_suffixes: tuple[str, ...] = ("messages",)

    def max_tokens_key(self, body: dict[str, Any]) -> str | None:
        return "max_tokens" if "max_tokens" in body else None

    def read_usage(self, event: dict[str, Any], into: Usage) -> None:
        msg = event.get("message") if isinstance(event.get("message"), dict) else event
        u = msg.get("usage") if isinstance(msg, dict) else None
        if not isinstance(u, dict):
            u = event.get("usage") if isinstance(event.get("usage"), dict) else None
        if u:
            base = as_int(u.get("input_tokens"))
            read = as_int(u.get("cache_read_input_tokens")) or 0
            created = as_int(u.get("cache_creation_input_tokens")) or 0
            if base is not None:
                into.input_tokens = base + read + created
                into.cached_tokens = read
            into.output_tokens = as_int(u.get("output_tokens")) or into.output_tokens

    def body_likeness(self, body: Mapping[str, Any]) -> int:
        """Messages with a top-level ``system``, a version field beside ``max_tokens``, or a
        block only this API has (tool_use, tool_result, thinking)."""
        if "messages" not in body:
            return 0
        if "system" in body or (isinstance(body.get("max_tokens"), int) and "anthropic_version" in body):
            return 2
        messages = body["messages"]
        for m in messages if isinstance(messages, list) else ():
            content = m.get("content") if isinstance(m, dict) else None
            if isinstance(content, list) and any(
                isinstance(b, dict) and b.get("type") in ("tool_use", "tool_result", "thinking")
                for b in content
            ):
                return 2
        return 0

    def prompt_anchor(self, body: Mapping[str, Any]) -> tuple[Any, Any]:
        return body.get("system"), first_dict(body.get("messages"), lambda m: m.get("role") == "user")

    def violations(self, body: dict[str, Any]) -> set[str]:
        from proxy.compress.invariants.anthropic import violations

        return violations(body)
