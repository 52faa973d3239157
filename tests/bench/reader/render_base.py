"""What every rendering of :mod:`render` and :mod:`render_tools` shares: the request's frame
(system prompt first, a question last), the kept turns, roles, and the stamps clients write."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection
from typing import Any

from tests.bench.reader.dialogue import Dialogue, Turn

MERGE = 4
FINAL_QUESTION = "Thinking back over all our sessions: what do you remember about what we talked about?"


def system_prompt(d: Dialogue) -> str:
    a, b = d.speakers
    return (
        f"This is a long-running chat between {a} and {b} over many sessions. "
        "Continue the conversation naturally and remember what was said."
    )


def locomo_header(when: dt.datetime) -> str:
    hour = when.hour % 12 or 12
    return f"{hour}:{when.minute:02d} {'am' if when.hour < 12 else 'pm'} on {when.day} {when:%B}, {when.year}"


def session_line(n: int, when: dt.datetime) -> str:
    return f"Session {n} · {when:%A}, {when.day} {when:%B} {when.year}"


def stamp(when: dt.datetime) -> str:
    return f"[{when:%Y-%m-%d %H:%M}]"


def chatlog_stamp(when: dt.datetime, i: int) -> str:
    return f"{when:%d.%m.%Y, %H:%M}:{(7 * i) % 60:02d}"


NAME_OK = re.compile(r"[^a-zA-Z0-9_-]")


def name_field(speaker: str) -> str:
    return NAME_OK.sub("_", speaker)[:64]


def kept_turns(d: Dialogue, keep: Collection[str] | None) -> list[tuple[Turn, bool]]:
    """(turn, opens its session among the kept turns)."""
    out: list[tuple[Turn, bool]] = []
    last_session = -1
    for t in d.turns:
        if keep is not None and t.id not in keep:
            continue
        out.append((t, t.session != last_session))
        last_session = t.session
    return out


def frame(d: Dialogue, model: str, messages: list[dict[str, Any]]) -> dict[str, Any]:
    msgs = [{"role": "system", "content": system_prompt(d)}, *messages]
    msgs.append({"role": "user", "content": FINAL_QUESTION})
    return {"model": model, "messages": msgs}


def role_of(d: Dialogue, t: Turn) -> str:
    return "user" if t.speaker == d.speakers[0] else "assistant"


def per_turn(
    d: Dialogue, model: str, keep: Collection[str] | None, content: Callable[[Turn], str]
) -> dict[str, Any]:
    """One message a turn, written by ``content``."""
    return frame(d, model, [{"role": role_of(d, t), "content": content(t)} for t, _ in kept_turns(d, keep)])


def h12(w: dt.datetime, seconds: bool = False) -> str:
    """``1:56 PM`` (``1:56:00 PM``)."""
    return f"{w.hour % 12 or 12}:{w.minute:02d}{':00' if seconds else ''} {'AM' if w.hour < 12 else 'PM'}"


def alternating(lines_of_messages: list[list[str]]) -> list[dict[str, Any]]:
    """Messages of the given lines, roles alternating from ``user`` (a memory chat's merged turns)."""
    return [
        {"role": "user" if i % 2 == 0 else "assistant", "content": "\n".join(lines)}
        for i, lines in enumerate(lines_of_messages)
    ]
