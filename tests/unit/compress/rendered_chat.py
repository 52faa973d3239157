"""A conversation whose facts are known, rendered the ways real clients send one, and the
assertions that a digest of it keeps each fact with its speaker and its day.

Written for these tests: two friends, Priya and Tom, over three sessions, rendered as merged
turns with a header line inside a message, a timestamp on every turn, the ``name`` field with
session lines, chat exports, bare roles (:data:`RENDERINGS`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from proxy.compress import DroppedMessage, SummaryRequest
from proxy.compress.dates import format_date
from proxy.compress.digest import build_summary

# (session date-time, [(speaker, text)]): the facts a reader will ask about.
SESSIONS = [
    (
        dt.datetime(2023, 5, 8, 13, 56),
        [
            ("Priya", "Hi Tom! I adopted a greyhound called Pesto from the shelter on Saturday."),
            ("Tom", "Brilliant! I started pottery classes at the Kiln Street studio."),
            ("Priya", "How long have you been married now?"),
            ("Tom", "Seven years in August."),
        ],
    ),
    (
        dt.datetime(2023, 6, 9, 19, 55),
        [
            ("Tom", "I ran the Brighton half marathon in 1:52 last Sunday."),
            ("Priya", "I quit my job at Halden Bank and joined a robotics startup."),
            ("Tom", "You've got guts!"),
            ("Priya", "I went to a lantern festival in Bath yesterday."),
        ],
    ),
    (
        dt.datetime(2024, 3, 3, 9, 5),
        [
            ("Priya", "Pesto learned to open the fridge, which is a problem."),
            ("Tom", "My sister Ines moved to Lisbon in January."),
        ],
    ),
]
DAYS = [when.date() for when, _ in SESSIONS]
FACTS = {"Pesto": ("Priya", 0), "pottery": ("Tom", 0), "Brighton": ("Tom", 1), "Halden": ("Priya", 1),
         "lantern": ("Priya", 1), "fridge": ("Priya", 2), "Lisbon": ("Tom", 2)}  # fmt: skip


def locomo_header(when: dt.datetime) -> str:
    hour = when.hour % 12 or 12
    return f"{hour}:{when.minute:02d} {'am' if when.hour < 12 else 'pm'} on {when.day} {when:%B}, {when.year}"


def merged(per: int = 3) -> tuple[DroppedMessage, ...]:
    """Turns merged ``per`` to a message; a session's header on the line before its first turn
    (often a later line of a message)."""
    lines: list[str] = []
    for when, turns in SESSIONS:
        for k, (who, text) in enumerate(turns):
            lines.append((locomo_header(when) + "\n" if k == 0 else "") + f"{who}: {text}")
    return tuple(
        DroppedMessage("user" if (i // per) % 2 == 0 else "assistant", "\n".join(lines[i : i + per]))
        for i in range(0, len(lines), per)
    )


def one_per_turn(line) -> tuple[DroppedMessage, ...]:  # type: ignore[no-untyped-def]
    out = []
    for when, turns in SESSIONS:
        for k, (who, text) in enumerate(turns):
            role = "user" if who == "Priya" else "assistant"
            out.append(DroppedMessage(role, line(when, k, who, text)))
    return tuple(out)


def stamped() -> tuple[DroppedMessage, ...]:
    return one_per_turn(lambda when, k, who, text: f"[{when:%Y-%m-%d %H:%M}] {who}: {text}")


def chatlog() -> tuple[DroppedMessage, ...]:
    return one_per_turn(lambda when, k, who, text: f"{when:%d.%m.%Y, %H:%M}:{k:02d} - {who}: {text}")


def iso_stamped() -> tuple[DroppedMessage, ...]:
    return one_per_turn(lambda when, k, who, text: f"{when:%Y-%m-%dT%H:%M:%S}Z {who}: {text}")


def weekday_headers() -> tuple[DroppedMessage, ...]:
    return one_per_turn(
        lambda when, k, who, text: (f"{when:%a %-d %b %Y %H:%M}\n" if k == 0 else "") + f"{who}: {text}"
    )


def bracket_sessions() -> tuple[DroppedMessage, ...]:
    return one_per_turn(
        lambda when, k, who, text: (
            (f"[Session {DAYS.index(when.date()) + 1} — {when.day} {when:%B %Y}]\n" if k == 0 else "")
            + f"{who}: {text}"
        )
    )


def whatsapp_us() -> tuple[DroppedMessage, ...]:
    """A US phone's chat export: ``5/8/23, 1:56 PM - Priya: text``."""
    return one_per_turn(
        lambda when, k, who, text: (
            f"{when.month}/{when.day}/{when:%y}, {when:%-I}:{when.minute + k:02d} {when:%p} - {who}: {text}"
        )
    )


def clock_turns() -> tuple[DroppedMessage, ...]:
    """A header between rules opens a session, then ``[13:56] Priya: text`` (a time alone)."""
    return one_per_turn(
        lambda when, k, who, text: (
            (f"=== Session {DAYS.index(when.date()) + 1} ({when.day} {when:%B %Y}) ===\n" if k == 0 else "")
            + f"[{when:%H:%M}] {who}: {text}"
        )
    )


def name_first() -> tuple[DroppedMessage, ...]:
    """The stamp after the name, in brackets: ``Priya (08.05.2023, 13:56): text``."""
    return one_per_turn(
        lambda when, k, who, text: f"{who} ({when:%d.%m.%Y}, {when:%H}:{when.minute + k:02d}): {text}"
    )


def named() -> tuple[DroppedMessage, ...]:
    out = []
    for n, (when, turns) in enumerate(SESSIONS, 1):
        for k, (who, text) in enumerate(turns):
            head = f"Session {n} · {when:%A}, {when.day} {when:%B} {when.year}\n" if k == 0 else ""
            out.append(DroppedMessage("user" if who == "Priya" else "assistant", head + text, speaker=who))
    return tuple(out)


RENDERINGS = {
    "merged": merged,
    "merged-long": lambda: merged(per=10),
    "stamped": stamped,
    "chatlog": chatlog,
    "iso": iso_stamped,
    "weekday": weekday_headers,
    "bracket-sessions": bracket_sessions,
    "named": named,
    "whatsapp-us": whatsapp_us,
    "clock": clock_turns,
    "name-first": name_first,
}


def digest_lines(dropped: tuple[DroppedMessage, ...], budget: int = 2000) -> list[str]:
    text = build_summary(SummaryRequest(None, dropped, budget, "gpt-4o"))
    return [line for line in text.splitlines() if line.startswith("- ")]


def digest_segments(lines: list[str]) -> str:
    """The digest's lines without their date labels: what its segments say."""
    return re.sub(r"^- \[[^\]]+\] ", "", "\n".join(lines), flags=re.M)


def assert_read_as_a_chat(dropped: tuple[DroppedMessage, ...], noise: tuple[str, ...]) -> str:
    """Each of :data:`FACTS` attributed (:func:`assert_every_fact_attributed`), and none of
    ``noise`` (a format's framing) in what the digest's segments say, which are returned."""
    lines = digest_lines(dropped)
    assert_every_fact_attributed(lines)
    body = digest_segments(lines)
    for framing in noise:
        assert framing not in body, (framing, body)
    return body


def assert_every_fact_attributed(lines: list[str], label: Callable[[str], str] = str) -> None:
    """Each of :data:`FACTS` is on a digest line of its session's day, in a segment labelled
    with its speaker (``label`` gives the label a speaker is written with)."""
    for word, (who, session) in FACTS.items():
        line = next(line for line in lines if word in line)
        assert line.startswith(f"- [{format_date(DAYS[session])}] "), (word, line)
        segment = next(seg for seg in line.split(" | ") if word in seg)
        assert re.search(rf"(?:^- \[[^\]]+\] |^){re.escape(label(who))}: ", segment), (word, segment)
