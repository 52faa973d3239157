"""Shape check of Anthropic Messages."""

from __future__ import annotations

from typing import Any

from proxy.wire.shape.base import STR, Shape, part_check, parts_ok

_BLOCK = {"type": STR, "id": STR, "tool_use_id": STR, "name": STR}


def _anthropic_block(block: dict[str, Any], where: str) -> str | None:
    # A block's ``content`` may be an object (server-tool results such as
    # ``code_execution_tool_result``); only a list is walked.
    content = block.get("content")
    return Shape.fields(block, where, _BLOCK) or (
        Shape.items(content, f"{where}.content", part_check) if isinstance(content, list) else None
    )


def _anthropic_message(msg: dict[str, Any], where: str) -> str | None:
    content = msg.get("content")
    return (
        Shape.fields(msg, where, {"role": STR})
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
            if type(inner) is list and not parts_ok(inner):
                return False
    return True


def check_anthropic(body: dict[str, Any]) -> str | None:
    system, messages = body.get("system"), body.get("messages")
    if (system is None or type(system) is str or (type(system) is list and parts_ok(system))) and (
        messages is None or (type(messages) is list and _anthropic_messages_ok(messages))
    ):
        return None
    return _full_anthropic(body)


def _full_anthropic(body: dict[str, Any]) -> str | None:
    system = body.get("system")
    return (
        Shape.optional(system, "system", str, list)
        or (Shape.items(system, "system", part_check) if isinstance(system, list) else None)
        or Shape.items(body.get("messages"), "messages", _anthropic_message)
    )
