"""Later-needed facts kept, as the reader benchmark defines them for agent sessions
(``tests/bench/reader/agent.py``, used when present): at a request, the facts the agent writes
*after* it (its text and tool-call arguments: paths, file names, identifiers, error class
names, ``line N``, numbers of 3+ digits) that, before it, came from tool outputs only (not the
system prompt, the task or the tool definitions). A fact is kept when the request as sent still
contains it anywhere. A micro average over every request that is over the window's trigger as
written (the same requests for every strategy) and every fact.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from tests.bench.replay.sessions import Msg

try:  # the reader benchmark's definition, when this tree has it
    from tests.bench.reader.agent import later_facts, request_text  # type: ignore[import-not-found]
except ImportError:  # the same definition, kept here until both live in one tree
    _PATH = re.compile(r"(?<![\w/.:-])(?:\.{0,2}/)?(?:[\w.-]+/)+[\w.-]*[\w]")
    _FILE = re.compile(
        r"\b[\w-]+\.(?:py|pyx|pyi|c|h|cpp|js|ts|json|ya?ml|toml|cfg|ini|txt|rst|md|html|css|sh|sql|xml)\b"
    )
    _ERROR = re.compile(r"\b[A-Z]\w*(?:Error|Exception|Warning)\b")
    _LINE = re.compile(r"\bline \d+\b")
    _NUMBER = re.compile(r"(?<![\w.])\d{3,}(?![\w.])")
    _IDENT = re.compile(
        r"\b(?:[A-Za-z]\w*_\w*[A-Za-z0-9]|[a-z]+[A-Z]\w*|[A-Z][a-z0-9]+[A-Z]\w*|[A-Za-z_]\w*(?:\.[A-Za-z_]\w*){2,})\b"
    )

    def _facts_in(text: str) -> set[str]:
        out: set[str] = set()
        for rx in (_PATH, _FILE, _ERROR, _LINE, _NUMBER, _IDENT):
            for m in rx.finditer(text):
                fact = m.group(0).rstrip(".-/")
                if len(fact) >= 3:
                    out.add(fact)
        return out

    def _message_text(msg: dict[str, Any]) -> str:
        content = msg.get("content")
        if isinstance(content, str):
            return content
        if isinstance(content, list):
            return "\n".join(
                str(p.get("text", ""))
                for p in content
                if isinstance(p, dict) and isinstance(p.get("text"), str)
            )
        return ""

    def _strings(value: Any) -> Iterable[str]:
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for v in value.values():
                yield from _strings(v)
        elif isinstance(value, list):
            for v in value:
                yield from _strings(v)

    def _call_texts(msg: dict[str, Any]) -> list[str]:
        out: list[str] = []
        for call in msg.get("tool_calls") or []:
            fn = call.get("function") or {}
            args = fn.get("arguments")
            out.append(str(fn.get("name", "")))
            if isinstance(args, str):
                out.append(args)
                try:
                    out += list(_strings(json.loads(args)))
                except ValueError:
                    pass
        return out

    def request_text(body: dict[str, Any]) -> str:
        return "\n".join(
            p for msg in body.get("messages", []) for p in (_message_text(msg), *_call_texts(msg))
        )

    def later_facts(body: dict[str, Any], cut: int, strict: bool = False) -> frozenset[str]:
        messages = body["messages"]
        seen_tool: set[str] = set()
        elsewhere = [json.dumps(body.get("tools", []))]
        for m in messages[:cut]:
            role = m.get("role")
            if role == "tool":
                seen_tool |= _facts_in(_message_text(m))
            elif role != "assistant" or strict:
                elsewhere += [_message_text(m), *_call_texts(m)]
        other = "\n".join(elsewhere)
        later: set[str] = set()
        for m in messages[cut:]:
            if m.get("role") == "assistant":
                for text in (_message_text(m), *_call_texts(m)):
                    later |= _facts_in(text)
        return frozenset(f for f in later & seen_tool if f not in other)


@dataclass
class Facts:
    needed: int = 0
    kept: int = 0

    def score(self) -> float:
        return self.kept / self.needed if self.needed else 1.0


class LaterFacts:
    """One session's later-needed facts, request by request."""

    def __init__(self, messages: Sequence[Msg], tools: Sequence[Any]) -> None:
        self.body = {"messages": list(messages), "tools": list(tools)}
        self._memo: dict[int, frozenset[str]] = {}

    def count(self, cut: int, sent: Sequence[Msg], into: Facts, over: bool) -> None:
        """``over``: the request as written is over the window's trigger (only those count)."""
        if not over:
            return
        needed = self._memo.get(cut)
        if needed is None:
            needed = self._memo[cut] = later_facts(self.body, cut)
        if not needed:
            return
        text = request_text({"messages": list(sent)})
        into.needed += len(needed)
        into.kept += sum(1 for f in needed if f in text)
