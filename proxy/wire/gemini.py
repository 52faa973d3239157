"""Gemini ``generateContent`` (``contents`` of ``parts`` + ``systemInstruction``).

Accepts the REST API's camelCase and snake_case spellings. ``functionCall`` parts pair with
the ``functionResponse`` parts of the next user turn, by ``id`` when present, else by name
in order. Parts with a ``thoughtSignature`` (or ``thought: true``) make their turn opaque.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from proxy.wire.base import TurnsAdapter, render_body
from proxy.wire.conversation import Conversation, Message, Role, Segment
from proxy.wire.conversation import dump_text as _dump
from proxy.wire.families import FamilyName
from proxy.wire.gemini_calls import call_keys, get_field
from proxy.wire.shape import check_gemini
from proxy.wire.usage import Usage, as_int, first_dict

_RESPONSE_TEXT_KEYS = ("result", "output", "content", "text")


def _response_segment(part: dict[str, Any], i: int, key: str, resp: dict[str, Any]) -> Segment:
    """The one string inside a ``functionResponse.response`` a stage may rewrite, if any."""
    body = resp.get("response")
    if isinstance(body, dict):
        strings = [k for k in _RESPONSE_TEXT_KEYS if isinstance(body.get(k), str)]
        if len(body) == 1 and strings:
            return Segment("tool_output", ("parts", i, key, "response", strings[0]), body[strings[0]], True)
    return Segment("opaque", ("parts", i), _dump(part))


class GeminiAdapter(TurnsAdapter):
    api = "gemini"
    container = "contents"
    message_overhead = 4
    summary_overhead = 0  # one more text part of the first user turn

    def check(self, body: dict[str, Any]) -> str | None:
        return check_gemini(body)

    def parse_items(self, items: list[Any]) -> list[Message]:
        keys = call_keys(items)
        names: dict[str, str] = {}
        out = []
        for index, (raw, (calls, results)) in enumerate(zip(items, keys, strict=True)):
            out.append(self.parse_content(raw, index, calls, results, names))
        return out

    def parse_content(
        self, raw: Any, index: int, calls: list[str], results: list[str], names: dict[str, str]
    ) -> Message:
        if not isinstance(raw, dict):
            return Message(raw=raw, role="user", segments=(Segment("opaque", (), _dump(raw)),), index=index)
        role: Role = "assistant" if raw.get("role") == "model" else "user"
        segs: list[Segment] = []
        opaque = False
        call_names = iter(calls)
        parts = raw.get("parts")
        for i, part in enumerate(parts if isinstance(parts, list) else ()):
            if not isinstance(part, dict):
                continue
            if part.get("thought") or "thoughtSignature" in part or "thought_signature" in part:
                opaque = True
            call_key, call = get_field(part, "functionCall", "function_call")
            resp_key, resp = get_field(part, "functionResponse", "function_response")
            if isinstance(part.get("text"), str):
                segs.append(
                    Segment(
                        "reasoning" if part.get("thought") else "text",
                        ("parts", i, "text"),
                        part["text"],
                        True,
                    )
                )
            elif isinstance(call, dict):
                names[next(call_names, "")] = str(call.get("name", ""))
                segs.append(Segment("tool_call", ("parts", i, call_key), _dump(call)))
            elif isinstance(resp, dict):
                segs.append(_response_segment(part, i, resp_key, resp))
            elif any(k in part for k in ("inlineData", "inline_data", "fileData", "file_data")):
                segs.append(Segment("image", ("parts", i), "", False))
            else:
                segs.append(Segment("opaque", ("parts", i), _dump(part)))
        if opaque:
            segs = [Segment(s.kind, s.path, s.text, False) for s in segs]
        tool_name = next((str(names.get(r, r.split("#")[0])) for r in results), None)
        return Message(
            raw=raw,
            role=role,
            segments=tuple(segs),
            calls=tuple(calls),
            results=tuple(results),
            tool_name=tool_name,
            opaque=opaque,
            index=index,
        )

    def with_summary(self, raw: dict[str, Any], summary: str) -> dict[str, Any]:
        """The first user turn plus one part holding the anchored summary."""
        return {**raw, "parts": [*(raw.get("parts") or ()), {"text": summary}]}

    def render(self, conv: Conversation) -> dict[str, Any]:
        return render_body(conv, self.render_items(conv))

    def fixed_texts(self, body: dict[str, Any]) -> list[str]:
        out: list[str] = []
        _, system = get_field(body, "systemInstruction", "system_instruction")
        if isinstance(system, dict):
            out.extend(str(p.get("text", "")) for p in system.get("parts") or () if isinstance(p, dict))
        elif isinstance(system, str):
            out.append(system)
        for key in ("tools", "toolConfig", "tool_config"):
            if body.get(key):
                out.append(_dump(body[key]))
        return out

    def reserved_output(self, body: dict[str, Any]) -> int | None:
        _, config = get_field(body, "generationConfig", "generation_config")
        if isinstance(config, dict):
            _, value = get_field(config, "maxOutputTokens", "max_output_tokens")
            if isinstance(value, int) and not isinstance(value, bool) and value > 0:
                return value
        return None

    def summary_item(self, text: str) -> dict[str, Any]:
        return {"role": "user", "parts": [{"text": text}]}

    # -- everything else the proxy needs to know about this API --

    family: FamilyName = "gemini"
    image_tokens = 258
    name_key: str | None = None
    explicit_cache = False
    path_suffixes: tuple[str, ...] = (":generateContent", ":streamGenerateContent")

    def model_id(self, body: Mapping[str, Any], tail: str) -> str:
        """Gemini names the model in the path: ``.../models/{model}:generateContent``."""
        if "models/" in tail:
            return tail.rsplit("models/", 1)[1].split(":", 1)[0]
        model = body.get("model")
        return model if isinstance(model, str) else ""

    def max_tokens_key(self, body: dict[str, Any]) -> str | None:
        return None  # nested in generationConfig: never lowered on retry

    def read_usage(self, event: dict[str, Any], into: Usage) -> None:
        u = event.get("usageMetadata")
        if isinstance(u, dict):
            into.input_tokens = as_int(u.get("promptTokenCount")) or into.input_tokens
            into.cached_tokens = as_int(u.get("cachedContentTokenCount")) or into.cached_tokens
            into.output_tokens = as_int(u.get("candidatesTokenCount")) or into.output_tokens

    def body_likeness(self, body: Mapping[str, Any]) -> int:
        return 4 if "contents" in body else 0

    def prompt_anchor(self, body: Mapping[str, Any]) -> tuple[Any, Any]:
        sys_i = body.get("systemInstruction") or body.get("system_instruction")
        return sys_i, first_dict(body.get("contents"), lambda m: m.get("role", "user") == "user")

    def violations(self, body: dict[str, Any]) -> set[str]:
        from proxy.compress.invariants.gemini import violations

        return violations(body)
