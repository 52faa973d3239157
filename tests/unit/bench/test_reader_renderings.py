"""The reader benchmark's renderings of a dialogue: each reads back as its speakers and
days, and each looks as documented.
"""

from __future__ import annotations

import pytest

from tests.bench.reader import reading as rd
from tests.bench.reader.dates import Day
from tests.bench.reader.render import RENDER, RENDERINGS, system_prompt
from tests.bench.reader.render_tools import TOOLS
from tests.unit.bench.readerkit import tiny


@pytest.mark.parametrize("rendering", [*RENDERINGS, *TOOLS])
def test_every_rendering_reads_back_its_speakers_and_days(rendering: str) -> None:
    d = tiny()
    body = RENDER[rendering](d, "gpt-4o")
    msgs = body["messages"]
    assert msgs[0]["role"] == "system" and msgs[-1]["role"] == "user"
    units = rd.reading_units(body, system_prompt(d))
    assert len(units) == len(d.turns)
    for unit, turn in zip(units, d.turns, strict=True):
        assert unit.speaker is not None and unit.speaker.casefold() == turn.speaker.casefold()
        assert unit.day == Day(turn.when.year, turn.when.month, turn.when.day)
        assert turn.text in unit.text


def test_renderings_look_as_documented() -> None:
    d = tiny()
    merged = RENDER["merged"](d, "gpt-4o")["messages"]
    assert (
        merged[1]["content"].splitlines()[0] == "1:56 pm on 8 May, 2023 Caroline: Hey Mel! How have you been?"
    )
    assert "\n7:05 pm on 12 July, 2023 Caroline: Two days ago" in merged[2]["content"]  # a later line
    assert [m["role"] for m in merged[1:-1]] == ["user", "assistant", "user"]
    lines = RENDER["merged-lines"](d, "gpt-4o")["messages"]
    assert lines[1]["content"].splitlines()[:2] == [
        "1:56 pm on 8 May, 2023",
        "Caroline: Hey Mel! How have you been?",
    ]
    assert "\n7:05 pm on 12 July, 2023\nCaroline: Two days ago" in lines[2]["content"]
    stamped = RENDER["stamped"](d, "gpt-4o")["messages"]
    assert stamped[3]["content"].startswith("[2023-05-08 13:58] Caroline: I went")
    named = RENDER["named"](d, "gpt-4o")["messages"]
    assert named[6] == {
        "role": "user",
        "name": "Caroline",
        "content": "Session 2 · Wednesday, 12 July 2023\nTwo days ago I was at an LGBTQ conference in Portland.",
    }
    assert RENDER["chatlog"](d, "gpt-4o")["messages"][1]["content"].startswith(
        "08.05.2023, 13:56:00 - Caroline: "
    )
