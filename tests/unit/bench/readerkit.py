"""A tiny hand-made dialogue whose answers are known, and a digest of it, for the reader
benchmark's tests.

Caroline and Melanie over two sessions (8 May and 12 July 2023), with three questions whose
evidence turns are known; :func:`digest_body` wraps digest lines as the proxy writes them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from tests.bench.reader.dialogue import Dialogue, Question, Turn, turn_time
from tests.bench.reader.render import system_prompt

DATA = Path(__file__).resolve().parents[2] / "data" / "openhands"
HEADER = "[ctxproxy: summary of earlier conversation] Digest, oldest first: [date] speaker: facts."

S1 = dt.datetime(2023, 5, 8, 13, 56)
S2 = dt.datetime(2023, 7, 12, 19, 5)
TEXTS = [
    (1, "Caroline", "Hey Mel! How have you been?"),
    (1, "Melanie", "Busy with the kids and work. You?"),
    (1, "Caroline", "I went to a support group yesterday, it was powerful."),
    (1, "Melanie", "I painted a lake sunrise last year, it is special to me."),
    (1, "Caroline", "The colours blend so nicely."),
    (2, "Caroline", "Two days ago I was at an LGBTQ conference in Portland."),
    (2, "Melanie", "That sounds amazing! My dog Luna loves long walks."),
    (2, "Caroline", "I adopted a cat called Oliver last week."),
    (2, "Melanie", "Sweet, talk soon!"),
]


def tiny() -> Dialogue:
    turns: list[Turn] = []
    count: dict[int, int] = {}
    for s, who, text in TEXTS:
        i = count.get(s, 0)
        count[s] = i + 1
        start = S1 if s == 1 else S2
        caption = "a photo of a painting of a sunrise over a lake" if "painted" in text else ""
        turns.append(Turn(f"D{s}:{i + 1}", who, s, turn_time(start, i), text, caption))
    questions = (
        Question("Where was the LGBTQ conference?", "Portland", ("D2:1",), "1"),
        Question("What is the name of Melanie's dog?", "Luna", ("D2:2",), "1"),
        Question("When did Caroline go to the LGBTQ conference?", "10 July 2023", ("D2:1",), "2"),
    )
    return Dialogue("tiny", ("Caroline", "Melanie"), (S1, S2), tuple(turns), questions)


def digest_body(lines: list[str], kept: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    d = tiny()
    return {
        "messages": [
            {"role": "system", "content": system_prompt(d)},
            {"role": "user", "content": "\n".join([HEADER, *lines, "(5 messages compacted)"])},
            *(kept or []),
            {"role": "user", "content": "What do you remember?"},
        ]
    }
