"""OpenAI Chat Completions (``messages``): also every OpenAI-compatible provider."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from proxy.wire.base import PerItemAdapter, first_int, render_body, render_items_default
from proxy.wire.conversation import Conversation, Message, Role, Segment, SegmentKind
from proxy.wire.conversation import dump_text as _dump
from proxy.wire.families import FamilyName
from proxy.wire.grouping import merge_units
from proxy.wire.shape import check_openai_chat
from proxy.wire.text_tools import may_hold, text_protocol
from proxy.wire.usage import Usage, as_int, first_dict

_ROLES: dict[str, Role] = {
    "system": "system",
    "developer": "system",
    "user": "user",
    "assistant": "assistant",
    "tool": "tool",
    "function": "tool",
}
# Reasoning fields some OpenAI-compatible providers need back verbatim on assistant turns.
_REASONING_KEYS = ("reasoning_content", "reasoning", "thought_signature", "reasoning_details")


def content_segments(content: Any, kind: str, editable: bool) -> list[Segment]:
    """Segments of a chat ``content``: a string or a list of typed parts."""
    if isinstance(content, str):
        return [Segment(kind, ("content",), content, editable)]  # type: ignore[arg-type]
    segs: list[Segment] = []
    if isinstance(content, list):
        for i, part in enumerate(content):
            if not isinstance(part, dict):
                continue
            ptype = part.get("type")
            if ptype in ("text", "refusal") and isinstance(part.get(ptype), str):
                segs.append(Segment(kind, ("content", i, ptype), part[ptype], editable))  # type: ignore[arg-type]
            elif ptype in ("image_url", "input_image", "image"):
                segs.append(Segment("image", ("content", i), "", False))
            else:
                segs.append(Segment("opaque", ("content", i), _dump(part), False))
    return segs


class OpenAIChatAdapter(PerItemAdapter):
    api = "openai-chat"
    container = "messages"
    message_overhead = 4
    summary_overhead = 4

    def check(self, body: dict[str, Any]) -> str | None:
        return check_openai_chat(body)

    def parse_message(self, raw: Any, index: int, names: dict[str, str]) -> Message:
        if not isinstance(raw, dict):
            return Message(raw=raw, role="user", segments=(Segment("opaque", (), _dump(raw)),), index=index)
        role = _ROLES.get(str(raw.get("role")), "user")
        content = raw.get("content")
        if len(raw) == 2 and type(content) is str and "role" in raw:  # the plain message: no calls,
            # no reasoning, no id; the same Message the general path below builds, without its lookups
            kind: SegmentKind = "tool_output" if role == "tool" else "text"
            segment = Segment(kind, ("content",), content, role != "system")
            if may_hold(role, content):
                return text_protocol(Message(raw=raw, role=role, segments=(segment,), index=index))
            return Message(raw=raw, role=role, segments=(segment,), index=index)
        segs = content_segments(
            raw.get("content"), "tool_output" if role == "tool" else "text", role != "system"
        )
        calls: list[str] = []
        for i, call in enumerate(raw.get("tool_calls") or ()):
            if isinstance(call, dict):
                cid = str(call.get("id", ""))
                calls.append(cid)
                fn = call.get("function") or {}
                if isinstance(fn, dict):
                    names[cid] = str(fn.get("name", ""))
                segs.append(Segment("tool_call", ("tool_calls", i), _dump(fn)))
        if isinstance(raw.get("function_call"), dict):
            segs.append(Segment("tool_call", ("function_call",), _dump(raw["function_call"])))
        for key in _REASONING_KEYS:
            if key in raw and raw[key] is not None:
                segs.append(Segment("reasoning", (key,), _dump(raw[key])))
        results: tuple[str, ...] = ()
        tool_name = None
        if role == "tool" and raw.get("tool_call_id") is not None:
            results = (str(raw["tool_call_id"]),)
            tool_name = names.get(results[0])
        elif role == "tool":
            tool_name = raw.get("name") if isinstance(raw.get("name"), str) else None
        msg = Message(
            raw=raw,
            role=role,
            segments=tuple(segs),
            calls=tuple(calls),
            results=results,
            tool_name=tool_name,
            index=index,
        )
        return text_protocol(msg) if role in ("user", "assistant") else msg

    def build(self, body: dict[str, Any], msgs: list[Message]) -> Conversation:
        n_head = 0
        while n_head < len(msgs) and msgs[n_head].role == "system":
            n_head += 1
        groups = merge_units([[m] for m in msgs[n_head:]])
        return Conversation(self.api, body, self.container, tuple(msgs[:n_head]), groups)

    def render_items(self, conv: Conversation) -> list[Any]:
        return render_items_default(self, conv)

    def render(self, conv: Conversation) -> dict[str, Any]:
        return render_body(conv, self.render_items(conv))

    def fixed_texts(self, body: dict[str, Any]) -> list[str]:
        out = []
        for key in ("tools", "functions", "response_format"):
            if body.get(key):
                out.append(_dump(body[key]))
        return out

    def reserved_output(self, body: dict[str, Any]) -> int | None:
        return first_int(body, "max_completion_tokens", "max_tokens")

    def summary_item(self, text: str) -> dict[str, Any]:
        return {"role": "user", "content": text}

    # -- everything else the proxy needs to know about this API --

    family: FamilyName = "openai"
    image_tokens = 765
    name_key: str | None = "name"
    explicit_cache = False
    path_suffixes: tuple[str, ...] = ("chat/completions",)

    def max_tokens_key(self, body: dict[str, Any]) -> str | None:
        return next((k for k in ("max_tokens", "max_completion_tokens") if k in body), None)

    def read_usage(self, event: dict[str, Any], into: Usage) -> None:
        u = event.get("usage")
        if isinstance(u, dict):
            into.input_tokens = as_int(u.get("prompt_tokens")) or into.input_tokens
            into.output_tokens = as_int(u.get("completion_tokens")) or into.output_tokens
            details = u.get("prompt_tokens_details") or {}
            if isinstance(details, dict):
                into.cached_tokens = as_int(details.get("cached_tokens")) or into.cached_tokens

    def body_likeness(self, body: Mapping[str, Any]) -> int:
        return 1 if "messages" in body else 0  # the plainest dialect: anything with messages

    def prompt_anchor(self, body: Mapping[str, Any]) -> tuple[Any, Any]:
        msgs = body.get("messages")
        system = first_dict(msgs, lambda m: m.get("role") in ("system", "developer"))
        user = first_dict(msgs, lambda m: m.get("role") == "user")
        return (system or {}).get("content"), (user or {}).get("content")

    def violations(self, body: dict[str, Any]) -> set[str]:
        from proxy.compress.invariants.openai_chat import violations

        return violations(body)
