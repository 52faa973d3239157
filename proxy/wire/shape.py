"""Structural checks an adapter runs before anything parses, counts or compacts a body.

Each adapter reads certain fields as strings, lists or objects (roles and part types are
looked up in tables, item lists are iterated, ids become dictionary keys). A body whose
fields have other JSON types there — ``"role": ["user"]``, ``"tool_calls": 5``, a content
part whose ``type`` is an object — is one the provider rejects too; the proxy answers it
with a 400 in the caller's API shape instead of crashing or silently falling back.

Only types are checked, and only where the adapter looks: unknown fields, unknown part
types and missing fields pass (they are the provider's business). Each check returns the
first problem as a short message naming the field (``messages[3].tool_calls must be a
list``), or None.

Every chat request passes here, so each API has two passes: a tight one that only answers
"no problem" (exact ``type(...) is`` tests, no call per field: about half the instructions
on a long history)
and, only when it finds something, the full pass below it that names the field. The tight
pass may refuse what the full pass accepts (a ``str`` subclass, say), never the reverse.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Check = Callable[[Any, str], str | None]

_TYPE_NAMES: dict[type, str] = {str: "a string", list: "a list", dict: "an object"}


class Shape:
    """Small helpers: each returns an error message or None."""

    @staticmethod
    def optional(value: Any, where: str, *types: type) -> str | None:
        if value is None or isinstance(value, types):
            return None
        names = " or ".join(_TYPE_NAMES.get(t, t.__name__) for t in types)
        return f"{where} must be {names}"

    @staticmethod
    def fields(item: dict[str, Any], where: str, spec: Mapping[str, tuple[type, ...]]) -> str | None:
        for key, types in spec.items():
            value = item.get(key)
            if value is not None and not isinstance(value, types):  # the message only on failure
                return Shape.optional(value, f"{where}.{key}", *types)
        return None

    @staticmethod
    def items(value: Any, where: str, check: Check) -> str | None:
        """``value`` (when present) must be a list of objects, each passing ``check``."""
        if value is None:
            return None
        if not isinstance(value, list):
            return f"{where} must be a list"
        for item in value:  # well-formed items first, with no location strings built
            if not isinstance(item, dict) or check(item, "") is not None:
                break
        else:
            return None
        for i, item in enumerate(value):  # a problem: find it again, naming where it is
            at = f"{where}[{i}]"
            if not isinstance(item, dict):
                return f"{at} must be an object"
            problem = check(item, at)
            if problem:
                return problem
        return None


def _parts_ok(parts: list[Any]) -> bool:
    """Tight pass: a list of objects whose ``type``, when present, is a string."""
    for part in parts:
        if type(part) is not dict:
            return False
        ptype = part.get("type")
        if ptype is not None and type(ptype) is not str:
            return False
    return True


# ---------------------------------------------------------------------------------------------
# OpenAI Chat Completions

_STR = (str,)
_PART = {"type": _STR}
_CHAT_MESSAGE = {"role": _STR, "tool_call_id": _STR}
_CHAT_CALL = {"id": _STR, "type": _STR, "function": (dict,)}


def _chat_part(part: dict[str, Any], where: str) -> str | None:
    return Shape.fields(part, where, _PART)


def _chat_call(call: dict[str, Any], where: str) -> str | None:
    return Shape.fields(call, where, _CHAT_CALL)


def _chat_message(msg: dict[str, Any], where: str) -> str | None:
    problem = Shape.fields(msg, where, _CHAT_MESSAGE)
    if problem:
        return problem
    content, calls = msg.get("content"), msg.get("tool_calls")
    if content is not None and not isinstance(content, str):  # the hot case (text) builds no strings
        problem = Shape.optional(content, f"{where}.content", str, list) or Shape.items(
            content, f"{where}.content", _chat_part
        )
        if problem:
            return problem
    return None if calls is None else Shape.items(calls, f"{where}.tool_calls", _chat_call)


def _chat_messages_ok(messages: list[Any]) -> bool:
    for msg in messages:
        if type(msg) is not dict:
            return False
        get = msg.get
        content = get("content")
        if len(msg) == 2 and type(content) is str and type(get("role")) is str:
            continue  # the plain {"role", "content"} message: nothing else to look up
        role, call_id, calls = get("role"), get("tool_call_id"), get("tool_calls")
        if (role is not None and type(role) is not str) or (call_id is not None and type(call_id) is not str):
            return False
        if content is not None and type(content) is not str:
            if type(content) is not list or not _parts_ok(content):
                return False
        if calls is not None:
            if type(calls) is not list:
                return False
            for call in calls:
                if type(call) is not dict:
                    return False
                cid, ctype, fn = call.get("id"), call.get("type"), call.get("function")
                if (
                    (cid is not None and type(cid) is not str)
                    or (ctype is not None and type(ctype) is not str)
                    or (fn is not None and type(fn) is not dict)
                ):
                    return False
    return True


def check_openai_chat(body: dict[str, Any]) -> str | None:
    messages = body.get("messages")
    if messages is None or (type(messages) is list and _chat_messages_ok(messages)):
        return None
    return _full_openai_chat(body)


def _full_openai_chat(body: dict[str, Any]) -> str | None:
    return Shape.items(body.get("messages"), "messages", _chat_message)


# ---------------------------------------------------------------------------------------------
# OpenAI Responses

_RESPONSES_ITEM = {
    "type": _STR,
    "role": _STR,
    "call_id": _STR,
    "id": _STR,
    "approval_request_id": _STR,
    "name": _STR,
}


def _responses_item(item: dict[str, Any], where: str) -> str | None:
    content, output = item.get("content"), item.get("output")
    return (
        Shape.fields(item, where, _RESPONSES_ITEM)
        or Shape.optional(content, f"{where}.content", str, list)
        or (Shape.items(content, f"{where}.content", _chat_part) if isinstance(content, list) else None)
        or (Shape.items(output, f"{where}.output", _chat_part) if isinstance(output, list) else None)
    )


_RESPONSES_STR_FIELDS = tuple(_RESPONSES_ITEM)


def _responses_items_ok(items: list[Any]) -> bool:
    for item in items:
        if type(item) is not dict:
            return False
        get = item.get
        for key in _RESPONSES_STR_FIELDS:
            value = get(key)
            if value is not None and type(value) is not str:
                return False
        content, output = get("content"), get("output")
        if content is not None and type(content) is not str:
            if type(content) is not list or not _parts_ok(content):
                return False
        if type(output) is list and not _parts_ok(output):
            return False
    return True


def check_openai_responses(body: dict[str, Any]) -> str | None:
    items, instructions = body.get("input"), body.get("instructions")
    if (instructions is None or type(instructions) is str) and (
        items is None or type(items) is str or (type(items) is list and _responses_items_ok(items))
    ):
        return None
    return _full_openai_responses(body)


def _full_openai_responses(body: dict[str, Any]) -> str | None:
    items = body.get("input")
    if isinstance(items, str):
        return Shape.optional(body.get("instructions"), "instructions", str)
    return Shape.optional(body.get("instructions"), "instructions", str) or Shape.items(
        items, "input", _responses_item
    )


# ---------------------------------------------------------------------------------------------
# Anthropic Messages

_BLOCK = {"type": _STR, "id": _STR, "tool_use_id": _STR, "name": _STR}


def _anthropic_block(block: dict[str, Any], where: str) -> str | None:
    # A block's ``content`` may be an object (server-tool results such as
    # ``code_execution_tool_result``); only a list is walked.
    content = block.get("content")
    return Shape.fields(block, where, _BLOCK) or (
        Shape.items(content, f"{where}.content", _chat_part) if isinstance(content, list) else None
    )


def _anthropic_message(msg: dict[str, Any], where: str) -> str | None:
    content = msg.get("content")
    return (
        Shape.fields(msg, where, {"role": _STR})
        or Shape.optional(content, f"{where}.content", str, list)
        or (Shape.items(content, f"{where}.content", _anthropic_block) if isinstance(content, list) else None)
    )


def _anthropic_messages_ok(messages: list[Any]) -> bool:
    for msg in messages:
        if type(msg) is not dict:
            return False
        role, content = msg.get("role"), msg.get("content")
        if role is not None and type(role) is not str:
            return False
        if content is None or type(content) is str:
            continue
        if type(content) is not list:
            return False
        for block in content:
            if type(block) is not dict:
                return False
            get = block.get
            btype, bid, use_id, name = get("type"), get("id"), get("tool_use_id"), get("name")
            if (
                (btype is not None and type(btype) is not str)
                or (bid is not None and type(bid) is not str)
                or (use_id is not None and type(use_id) is not str)
                or (name is not None and type(name) is not str)
            ):
                return False
            inner = get("content")
            if type(inner) is list and not _parts_ok(inner):
                return False
    return True


def check_anthropic(body: dict[str, Any]) -> str | None:
    system, messages = body.get("system"), body.get("messages")
    if (system is None or type(system) is str or (type(system) is list and _parts_ok(system))) and (
        messages is None or (type(messages) is list and _anthropic_messages_ok(messages))
    ):
        return None
    return _full_anthropic(body)


def _full_anthropic(body: dict[str, Any]) -> str | None:
    system = body.get("system")
    return (
        Shape.optional(system, "system", str, list)
        or (Shape.items(system, "system", _chat_part) if isinstance(system, list) else None)
        or Shape.items(body.get("messages"), "messages", _anthropic_message)
    )


# ---------------------------------------------------------------------------------------------
# Gemini generateContent

_CALL_KEYS = ("functionCall", "function_call", "functionResponse", "function_response")


def _gemini_part(part: dict[str, Any], where: str) -> str | None:
    for key in _CALL_KEYS:
        if key in part:
            problem = Shape.optional(part[key], f"{where}.{key}", dict)
            if problem:
                return problem
            inner = part[key] or {}
            problem = Shape.fields(inner, f"{where}.{key}", {"name": _STR, "id": _STR})
            if problem:
                return problem
    return None


def _gemini_content(content: dict[str, Any], where: str) -> str | None:
    return Shape.fields(content, where, {"role": _STR}) or Shape.items(
        content.get("parts"), f"{where}.parts", _gemini_part
    )


def _gemini_parts_ok(parts: Any) -> bool:
    if parts is None:
        return True
    if type(parts) is not list:
        return False
    for part in parts:
        if type(part) is not dict:
            return False
        for key in _CALL_KEYS:
            if key in part:
                inner = part[key]
                if inner is None:
                    continue
                if type(inner) is not dict:
                    return False
                name, cid = inner.get("name"), inner.get("id")
                if (name is not None and type(name) is not str) or (cid is not None and type(cid) is not str):
                    return False
    return True


def _gemini_ok(body: dict[str, Any]) -> bool:
    for key in ("systemInstruction", "system_instruction"):
        system = body.get(key)
        if system is None or type(system) is str:
            continue
        if type(system) is not dict or not _gemini_parts_ok(system.get("parts")):
            return False
    contents = body.get("contents")
    if contents is None:
        return True
    if type(contents) is not list:
        return False
    for content in contents:
        if type(content) is not dict:
            return False
        role = content.get("role")
        if (role is not None and type(role) is not str) or not _gemini_parts_ok(content.get("parts")):
            return False
    return True


def check_gemini(body: dict[str, Any]) -> str | None:
    return None if _gemini_ok(body) else _full_gemini(body)


def _full_gemini(body: dict[str, Any]) -> str | None:
    for key in ("systemInstruction", "system_instruction"):
        system = body.get(key)
        problem = Shape.optional(system, key, dict, str)
        if problem:
            return problem
        if isinstance(system, dict):
            problem = Shape.items(system.get("parts"), f"{key}.parts", _gemini_part)
            if problem:
                return problem
    return Shape.items(body.get("contents"), "contents", _gemini_content)
