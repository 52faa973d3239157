"""Shape checks of the two OpenAI APIs: Chat Completions and Responses."""

from __future__ import annotations

from typing import Any

from proxy.wire.shape.base import STR, Shape, part_check, parts_ok

# Chat Completions

_CHAT_MESSAGE = {"role": STR, "tool_call_id": STR}
_CHAT_CALL = {"id": STR, "type": STR, "function": (dict,)}


def _chat_call(call: dict[str, Any], where: str) -> str | None:
    return Shape.fields(call, where, _CHAT_CALL)


def _chat_message(msg: dict[str, Any], where: str) -> str | None:
    problem = Shape.fields(msg, where, _CHAT_MESSAGE)
    if problem:
        return problem
    content, calls = msg.get("content"), msg.get("tool_calls")
    if content is not None and not isinstance(content, str):  # the hot case (text) builds no strings
        problem = Shape.optional(content, f"{where}.content", str, list) or Shape.items(
            content, f"{where}.content", part_check
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
            if type(content) is not list or not parts_ok(content):
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


# Responses

_RESPONSES_ITEM = {
    "type": STR,
    "role": STR,
    "call_id": STR,
    "id": STR,
    "approval_request_id": STR,
    "name": STR,
}


def _responses_item(item: dict[str, Any], where: str) -> str | None:
    content, output = item.get("content"), item.get("output")
    return (
        Shape.fields(item, where, _RESPONSES_ITEM)
        or Shape.optional(content, f"{where}.content", str, list)
        or (Shape.items(content, f"{where}.content", part_check) if isinstance(content, list) else None)
        or (Shape.items(output, f"{where}.output", part_check) if isinstance(output, list) else None)
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
            if type(content) is not list or not parts_ok(content):
                return False
        if type(output) is list and not parts_ok(output):
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
