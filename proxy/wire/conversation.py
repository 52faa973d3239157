"""The neutral conversation model shared by every wire adapter and the compactor.

An adapter parses a request body into a :class:`Conversation`: the stable ``head`` (leading
system/developer items that are never touched) and a list of atomic :class:`Group` s. Each
:class:`Message` keeps its wire dict (``raw``) untouched and describes where its text lives
(:class:`Segment` paths), so a stage edits one string through :func:`set_path` without the
stage knowing the wire format, and every field nobody understands survives verbatim.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

import orjson

SegmentKind = Literal["text", "tool_output", "tool_call", "reasoning", "image", "opaque"]
Role = Literal["system", "user", "assistant", "tool"]
Path = tuple[str | int, ...]


@dataclass(slots=True)
class Segment:
    """One countable piece of a message; ``editable`` ones may be rewritten by stages (immutable)."""

    kind: SegmentKind
    path: Path
    text: str
    editable: bool = False


@dataclass(slots=True)
class Message:
    """One wire item (chat message, Responses input item, Anthropic message).

    Treated as immutable (stages replace messages, never mutate them); not ``frozen`` only
    because frozen dataclasses are several times slower to build, and every request parses
    every message.
    """

    raw: dict[str, Any]
    role: Role
    segments: tuple[Segment, ...] = ()
    calls: tuple[str, ...] = ()  # tool call ids this item issues
    results: tuple[str, ...] = ()  # tool call ids this item answers
    tool_name: str | None = None  # for tool results, the tool's name when known
    opaque: bool = False  # thinking / encrypted reasoning / compaction: never edited
    pinned: bool = False  # must never be dropped (e.g. an Anthropic compaction block)
    index: int = -1  # position in the original request's item list (-1: synthetic)
    # text the wire item keeps in front of its first segment, outside that segment's text: a
    # tool output sent as a user message keeps its marker (``EXECUTION RESULT of [x]:``)
    lead: str = ""

    @property
    def is_tool_result(self) -> bool:
        return bool(self.results)

    @property
    def is_user_turn(self) -> bool:
        """A message a human (or orchestrator) wrote, not a tool result carrier."""
        return self.role == "user" and not self.results

    @property
    def text(self) -> str:
        """Its text segments, joined by newlines (no tool calls, outputs or images)."""
        return "\n".join(s.text for s in self.segments if s.kind == "text")

    def edited(self, segment: Segment, new_text: str) -> Message:
        """A copy whose segment text is replaced (copy-on-write of the wire dict)."""
        lead = self.lead if self.lead and segment.path == self.segments[0].path else ""
        raw = set_path(self.raw, segment.path, lead + new_text)
        segs = tuple(
            replace(s, text=new_text) if s is segment or s.path == segment.path else s for s in self.segments
        )
        return replace(self, raw=raw, segments=segs)


GroupKind = Literal["user", "assistant", "tool", "system", "other"]


@dataclass(frozen=True, slots=True)
class Group:
    """Atomic unit: kept whole or dropped whole (a tool call with all its results, ...)."""

    messages: tuple[Message, ...]
    kind: GroupKind

    @property
    def pinned(self) -> bool:
        return any(m.pinned for m in self.messages)

    @property
    def has_user_turn(self) -> bool:
        return any(m.is_user_turn for m in self.messages)

    @property
    def first_index(self) -> int:
        return self.messages[0].index if self.messages else -1

    def with_messages(self, messages: tuple[Message, ...]) -> Group:
        return replace(self, messages=messages)


@dataclass(frozen=True, slots=True)
class Conversation:
    """A parsed request: ``body`` minus its item list, the head, and the groups."""

    api: str
    body: dict[str, Any]
    container: str  # body key of the item list: messages | input | contents
    head: tuple[Message, ...]
    groups: tuple[Group, ...]
    summary: str | None = None  # anchored summary text, rendered after the first user group
    extras: dict[str, Any] = field(default_factory=dict)

    def messages(self) -> list[Message]:
        out = list(self.head)
        for g in self.groups:
            out.extend(g.messages)
        return out

    def with_groups(self, groups: tuple[Group, ...], summary: str | None = None) -> Conversation:
        return replace(self, groups=groups, summary=summary)


def set_path(raw: Any, path: Path, value: Any) -> Any:
    """Return a copy of ``raw`` with ``value`` at ``path``; untouched branches are shared."""
    if not path:
        return value
    key, rest = path[0], path[1:]
    if isinstance(raw, dict):
        out = dict(raw)
        out[key] = set_path(raw[key], rest, value)
        return out
    if isinstance(raw, list) and isinstance(key, int):
        lst = list(raw)
        lst[key] = set_path(raw[key], rest, value)
        return lst
    raise KeyError(f"path {path!r} does not fit {type(raw).__name__}")


def dump_text(value: Any) -> str:
    """A wire value as text for counting and fingerprints: strings as they are, else compact JSON."""
    return value if isinstance(value, str) else orjson.dumps(value).decode()
