"""The reader benchmark's whole-turn extraction baseline: it fits the budget and keeps whole
turns, in order, with their dates and speakers.
"""

from __future__ import annotations

from typing import Any

from tests.bench.reader import reading as rd
from tests.bench.reader import retrieval as rt
from tests.bench.reader.extraction import whole_turns
from tests.bench.reader.render import RENDER, system_prompt
from tests.unit.bench.readerkit import tiny


def test_whole_turn_extraction_fits_and_keeps_dates_and_speakers() -> None:
    d = tiny()

    def count(body: dict[str, Any]) -> int:
        return sum(len(rd.message_text(m)) for m in body["messages"]) // 4

    budget = count(RENDER["stamped"](d, "gpt-4o")) // 2
    out = whole_turns(d, RENDER["stamped"], "gpt-4o", budget, count, rt.dialogue_idf(d))
    assert count(out) <= budget
    units = rd.reading_units(out, system_prompt(d))
    assert 0 < len(units) < len(d.turns)
    assert all(u.speaker in d.speakers and u.day is not None for u in units)
    ids = [t.id for t in d.turns if any(t.text in u.text for u in units)]
    assert len(ids) == len(units) and ids == sorted(ids, key=[t.id for t in d.turns].index)  # in order
