"""Shape check of Gemini generateContent."""

from __future__ import annotations

from typing import Any

from proxy.wire.shape.base import STR, Shape

_CALL_KEYS = ("functionCall", "function_call", "functionResponse", "function_response")


def _gemini_part(part: dict[str, Any], where: str) -> str | None:
    for key in _CALL_KEYS:
        if key in part:
            problem = Shape.optional(part[key], f"{where}.{key}", dict)
            if problem:
                return problem
            inner = part[key] or {}
            problem = Shape.fields(inner, f"{where}.{key}", {"name": STR, "id": STR})
            if problem:
                return problem
    return None


def _gemini_content(content: dict[str, Any], where: str) -> str | None:
    return Shape.fields(content, where, {"role": STR}) or Shape.items(
        content.get("parts"), f"{where}.parts", _gemini_part
    )


def _geminiparts_ok(parts: Any) -> bool:
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
        if type(system) is not dict or not _geminiparts_ok(system.get("parts")):
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
        if (role is not None and type(role) is not str) or not _geminiparts_ok(content.get("parts")):
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
