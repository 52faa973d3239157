"""The helpers every API's shape check uses: each returns an error message or None."""

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


def parts_ok(parts: list[Any]) -> bool:
    """Tight pass: a list of objects whose ``type``, when present, is a string."""
    for part in parts:
        if type(part) is not dict:
            return False
        ptype = part.get("type")
        if ptype is not None and type(ptype) is not str:
            return False
    return True


STR = (str,)  # the type tuple of a string field
_PART = {"type": STR}


def part_check(part: dict[str, Any], where: str) -> str | None:
    """A content part: its ``type``, when present, is a string."""
    return Shape.fields(part, where, _PART)
