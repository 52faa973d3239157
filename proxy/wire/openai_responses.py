"""OpenAI Responses API (``input`` items + ``instructions``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from proxy.wire.base import PerItemAdapter, first_int, render_body, render_items_default
from proxy.wire.conversation import Conversation, Message, Role, Segment
from proxy.wire.conversation import dump_text as _dump
from proxy.wire.families import FamilyName
from proxy.wire.grouping import merge_units
from proxy.wire.shape import check_openai_responses
from proxy.wire.usage import Usage, as_int, first_dict

_ROLES: dict[str, Role] = {
    "system": "system",
    "developer": "system",
    "user": "user",
    "assistant": "assistant",
}
_TEXT_PARTS = ("input_text", "output_text", "text", "refusal")
_OPAQUE_TYPES = ("reasoning", "compaction", "compaction_summary")


def _parts(value: Any, base: tuple[str | int, ...], kind: str, editable: bool) -> list[Segment]:
    if isinstance(value, str):
        return [Segment(kind, base, value, editable)]  # type: ignore[arg-type]
    segs: list[Segment] = []
    if isinstance(value, list):
        for i, part in enumerate(value):
            if not isinstance(part, dict):
                continue
            ptype = part.get("type")
            if ptype in _TEXT_PARTS and isinstance(part.get("text"), str):
                segs.append(Segment(kind, (*base, i, "text"), part["text"], editable))  # type: ignore[arg-type]
            elif ptype in ("input_image", "image"):
                segs.append(Segment("image", (*base, i), "", False))
            else:
                segs.append(Segment("opaque", (*base, i), _dump(part), False))
    return segs


def _says(m: Message) -> bool:
    """An assistant ``message`` item (what the model said before it calls a tool)."""
    return m.role == "assistant" and isinstance(m.raw, dict) and m.raw.get("type") in (None, "message")


class OpenAIResponsesAdapter(PerItemAdapter):
    api = "openai-responses"
    container = "input"
    message_overhead = 4
    summary_overhead = 4

    def check(self, body: dict[str, Any]) -> str | None:
        return check_openai_responses(body)

    def parse_message(self, raw: Any, index: int, names: dict[str, str]) -> Message:
        if not isinstance(raw, dict):
            return Message(raw=raw, role="user", segments=(Segment("opaque", (), _dump(raw)),), index=index)
        itype = raw.get("type")
        if itype in (None, "message"):
            role = _ROLES.get(str(raw.get("role")), "user")
            segs = _parts(raw.get("content"), ("content",), "text", role != "system")
            return Message(raw=raw, role=role, segments=tuple(segs), index=index)
        itype = str(itype)
        if itype in _OPAQUE_TYPES:
            segs = [Segment("reasoning", (), _dump(raw))]
            return Message(
                raw=raw,
                role="assistant",
                segments=tuple(segs),
                opaque=True,
                pinned=itype != "reasoning",
                index=index,
            )
        call_id = raw.get("call_id")
        if itype.endswith("_output") and call_id is not None:
            cid = str(call_id)
            key = "output" if "output" in raw else None
            segs = _parts(raw.get(key), (key,), "tool_output", True) if key else []
            return Message(
                raw=raw,
                role="tool",
                segments=tuple(segs),
                results=(cid,),
                tool_name=names.get(cid),
                index=index,
            )
        if call_id is not None:
            cid = str(call_id)
            names[cid] = str(raw.get("name", itype))
            return Message(
                raw=raw,
                role="assistant",
                segments=(Segment("tool_call", (), _dump(raw)),),
                calls=(cid,),
                index=index,
            )
        if itype == "mcp_approval_request" and raw.get("id") is not None:
            return Message(
                raw=raw,
                role="assistant",
                segments=(Segment("tool_call", (), _dump(raw)),),
                calls=(str(raw["id"]),),
                index=index,
            )
        if itype == "mcp_approval_response" and raw.get("approval_request_id") is not None:
            return Message(
                raw=raw,
                role="tool",
                segments=(Segment("opaque", (), _dump(raw)),),
                results=(str(raw["approval_request_id"]),),
                index=index,
            )
        return Message(raw=raw, role="assistant", segments=(Segment("opaque", (), _dump(raw)),), index=index)

    def parse(self, body: dict[str, Any]) -> Conversation:
        items = body.get(self.container)
        if isinstance(items, str):
            msg = Message(
                raw={"role": "user", "content": items},
                role="user",
                segments=(Segment("text", ("content",), items, True),),
                index=0,
            )
            groups = merge_units([[msg]])
            return Conversation(self.api, body, self.container, (), groups, extras={"string_input": True})
        return super().parse(body)

    def build(self, body: dict[str, Any], msgs: list[Message]) -> Conversation:
        n_head = 0
        while n_head < len(msgs) and msgs[n_head].role == "system":
            n_head += 1
        units: list[list[Message]] = []
        # reasoning items travel with the item that follows them; an assistant message with
        # the calls right after it (one model turn, one Chat message), so that a turn is one
        # group on every wire (``keep_recent_groups`` counts turns alike)
        pending: list[Message] = []
        rest = msgs[n_head:]
        for k, m in enumerate(rest):
            pending.append(m)
            if isinstance(m.raw, dict) and m.raw.get("type") == "reasoning":
                continue
            if _says(m) and k + 1 < len(rest) and rest[k + 1].calls:
                continue
            units.append(pending)
            pending = []
        if pending:
            units.append(pending)
        return Conversation(self.api, body, self.container, tuple(msgs[:n_head]), merge_units(units))

    def render_items(self, conv: Conversation) -> list[Any]:
        return render_items_default(self, conv)

    def render(self, conv: Conversation) -> dict[str, Any]:
        items = self.render_items(conv)
        if conv.extras.get("string_input") and len(items) == 1 and isinstance(items[0], dict):
            return render_body(conv, items[0]["content"])
        return render_body(conv, items)

    def fixed_texts(self, body: dict[str, Any]) -> list[str]:
        out = []
        if isinstance(body.get("instructions"), str):
            out.append(body["instructions"])
        for key in ("tools", "text"):
            if body.get(key):
                out.append(_dump(body[key]))
        return out

    def reserved_output(self, body: dict[str, Any]) -> int | None:
        return first_int(body, "max_output_tokens")

    def summary_item(self, text: str) -> dict[str, Any]:
        return {"role": "user", "content": [{"type": "input_text", "text": text}]}

    # -- everything else the proxy needs to know about this API --

    family: FamilyName = "openai"
    image_tokens = 765
    name_key: str | None = None
    explicit_cache = False
    path_suffixes: tuple[str, ...] = ("responses",)

    def history_held_upstream(self, body: Mapping[str, Any]) -> bool:
        return bool(body.get("previous_response_id"))

    def max_tokens_key(self, body: dict[str, Any]) -> str | None:
        return "max_output_tokens" if "max_output_tokens" in body else None

    def read_usage(self, event: dict[str, Any], into: Usage) -> None:
        resp = event.get("response") if isinstance(event.get("response"), dict) else event
        if isinstance(resp, dict):
            if isinstance(resp.get("id"), str) and resp.get("object", "response") == "response":
                into.response_id = resp["id"]
            u = resp.get("usage")
            if isinstance(u, dict):
                into.input_tokens = as_int(u.get("input_tokens")) or into.input_tokens
                into.output_tokens = as_int(u.get("output_tokens")) or into.output_tokens
                details = u.get("input_tokens_details") or {}
                into.cached_tokens = as_int(details.get("cached_tokens")) or into.cached_tokens

    def body_likeness(self, body: Mapping[str, Any]) -> int:
        return 3 if "input" in body or "instructions" in body else 0

    def prompt_anchor(self, body: Mapping[str, Any]) -> tuple[Any, Any]:
        inp = body.get("input")
        user = inp if isinstance(inp, str) else first_dict(inp, lambda m: m.get("role") == "user")
        return body.get("instructions"), user

    def violations(self, body: dict[str, Any]) -> set[str]:
        from proxy.compress.invariants.openai_responses import violations

        return violations(body)
