"""A chat two friends, Priya and Tom, had over four sessions (written for these tests), as a
client that merges forty turns into a message sends it: every turn holds one fact (a place, a
thing, a number) a reader may ask about; a session's first turn opens with LoCoMo's header."""

from __future__ import annotations

import datetime as dt
from typing import Any

PLACES = ["Bath", "Leeds", "Porto", "Lisbon", "Bled", "Ghent", "Turku", "Split", "Cork", "Graz"]
THINGS = ["kayak", "cello", "telescope", "greenhouse", "sourdough", "tandem", "loom", "drone"]
SESSIONS = [
    dt.datetime(2023, 5, 8, 13, 56),
    dt.datetime(2023, 6, 9, 19, 55),
    dt.datetime(2023, 7, 3, 9, 5),
    dt.datetime(2023, 8, 1, 18, 30),
]


def turn(i: int) -> str:
    who = "Priya" if i % 2 == 0 else "Tom"
    place, thing = PLACES[i % len(PLACES)], THINGS[i % len(THINGS)]
    return (
        f"{who}: I went to {place} with my cousin and we finally tried the {thing} "
        f"workshop number {1000 + i}, which took about {i % 7 + 2} hours and was honestly great fun."
    )


def header(when: dt.datetime) -> str:
    return f"{when.hour % 12 or 12}:{when.minute:02d} {'am' if when.hour < 12 else 'pm'} on {when.day} {when:%B}, {when.year}"


def transcript_lines(n: int = 160, per_session: int = 40) -> list[str]:
    return [
        (f"{header(SESSIONS[i // per_session])} " if i % per_session == 0 else "") + turn(i) for i in range(n)
    ]


def merged_chat(per: int = 40, preamble: str = "") -> dict[str, Any]:
    """The conversation merged ``per`` turns a message, roles alternating by message."""
    lines = transcript_lines()
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": "Continue the chat between Priya and Tom."}
    ]
    for k in range(0, len(lines), per):
        text = "\n".join(lines[k : k + per])
        role = "user" if (k // per) % 2 == 0 else "assistant"
        messages.append({"role": role, "content": (preamble if k == 0 else "") + text})
    messages.append({"role": "user", "content": "What did we do in Bath, and when?"})
    return {"model": "gpt-4o", "messages": messages}


def anthropic_chat() -> dict[str, Any]:
    """:func:`merged_chat` as an Anthropic Messages request (the system prompt at the top)."""
    chat = merged_chat()
    messages = [m for m in chat["messages"] if m["role"] != "system"]
    return {"model": "claude-sonnet-4-20250514", "max_tokens": 1024, "system": chat["messages"][0]["content"],
            "messages": messages}  # fmt: skip
