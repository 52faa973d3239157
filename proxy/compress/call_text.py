"""A tool call as the summary reads it: ``str_replace_editor view src/app.py`` (the call's name
and its short arguments, command and path first), not condensed JSON."""

from __future__ import annotations

import orjson

from proxy.wire.text_tools import split_calls

_ARG_CHARS = 100  # an argument longer than this (or multi-line) is named, not quoted
# the arguments a call reads by, in this order (``Grep def write src/``: the pattern, then where)
_LEADING_ARGS = (
    "command",
    "action",
    "cmd",
    "operation",
    "pattern",
    "path",
    "file_path",
    "file",
    "url",
    "query",
)


def describe_call(text: str) -> str:
    """A tool call as it reads: ``name value value …`` (``str_replace_editor view src/app.py``);
    a long or multi-line argument appears by its name only (``file_text=…``)."""
    try:
        call = orjson.loads(text)
    except orjson.JSONDecodeError:
        return " ".join(text[:160].split())
    if not isinstance(call, dict) or "name" not in call:
        return " ".join(text[:160].split())
    return describe(call)


def describe(call: dict[str, object]) -> str:
    """:func:`describe_call` of a call already read: ``{name, arguments | input | args}``."""
    args = call.get("arguments", call.get("input", call.get("args", "")))  # Chat, Anthropic, Gemini
    if isinstance(args, str):
        try:
            args = orjson.loads(args) if args.strip() else {}
        except orjson.JSONDecodeError:
            return f"{call['name']} {' '.join(args[:_ARG_CHARS].split())}".rstrip()
    parts = [str(call["name"])]
    items = list(args.items()) if isinstance(args, dict) else [("", args)]
    items.sort(key=lambda kv: _LEADING_ARGS.index(kv[0]) if kv[0] in _LEADING_ARGS else len(_LEADING_ARGS))
    for key, value in items:
        if value is None or value == "" or isinstance(value, bool):
            continue
        shown = value if isinstance(value, str) else orjson.dumps(value).decode()
        if key in _LEADING_ARGS and isinstance(value, str):  # a command or path: its start
            first = " ".join(value.strip().split("\n", 1)[0].split())
            parts.append(
                first if len(first) <= _ARG_CHARS and "\n" not in value.strip() else first[:_ARG_CHARS] + "…"
            )
        elif len(shown) > _ARG_CHARS or "\n" in shown:
            parts.append(f"{key}=…" if key else "…")
        else:
            parts.append(shown)
    return " ".join(parts)


def text_calls(parts: list[str]) -> tuple[list[str], tuple[str, ...]]:
    """Texts without the calls an agent wrote in them (:mod:`proxy.wire.text_tools`), and those
    calls as they read."""
    texts: list[str] = []
    calls: list[str] = []
    for part in parts:
        prose, found = split_calls(part)
        texts.append(prose)
        calls += map(describe, found)
    return texts, tuple(calls)
