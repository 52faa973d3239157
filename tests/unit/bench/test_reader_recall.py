"""The reader benchmark's reader recall: one when the digest holds the answers with their
date, lower when they are gone or misdated, and a read of 700 characters of whole units.
"""

from __future__ import annotations

from typing import Any

from tests.bench.reader import reading as rd
from tests.bench.reader import retrieval as rt
from tests.bench.reader.dialogue import Dialogue
from tests.bench.reader.render import RENDER, system_prompt
from tests.unit.bench.readerkit import digest_body, tiny


def score(d: Dialogue, body: dict[str, Any]) -> rt.RecallScore:
    full = rt.Library(rd.reading_units(RENDER["merged"](d, "gpt-4o"), system_prompt(d)))
    out = rt.RecallScore()
    rt.reader_recall(
        d.questions, rt.Library(rd.reading_units(body, system_prompt(d))), full, rt.dialogue_idf(d), out
    )
    return out


def test_reader_recall_is_one_when_the_digest_holds_the_answers_with_their_date() -> None:
    body = digest_body(
        ["- [12 Jul 2023] Caroline: LGBTQ conference Portland two days ago | Melanie: dog Luna loves walks"]
    )
    s = score(tiny(), body)
    # "10 July 2023": the uncompressed reading also has only July and 2023 (the date in force)
    assert s.values == [1.0, 1.0, 1.0]


def test_reader_recall_falls_when_the_answer_is_gone_or_misdated() -> None:
    d = tiny()
    gone = score(d, digest_body(["- [8 May 2023] Caroline: support group | Melanie: painted lake sunrise"]))
    assert gone.values[:2] == [0.0, 0.0]
    assert gone.values[2] < 0.6  # only the year is left (in the date in force)
    right = score(d, digest_body(["- [12 Jul 2023] Caroline: LGBTQ conference Portland"])).values[-1]
    wrong = score(d, digest_body(["- [8 May 2023] Caroline: LGBTQ conference Portland"])).values[-1]
    assert wrong < right


def test_reader_recall_reads_only_700_characters() -> None:
    """The answer behind a long line of words that match the question better is not read."""
    d = tiny()
    noise = "; ".join(["LGBTQ conference name dog Melanie"] * 30)
    far = digest_body([f"- [12 Jul 2023] Melanie: {noise}", "- [12 Jul 2023] Melanie: dog Luna"])
    near = digest_body(["- [12 Jul 2023] Melanie: dog Luna"])
    assert score(d, far).values[1] == 0.0
    assert score(d, near).values[1] == 1.0


def test_bm25_ranks_the_matching_document_first() -> None:
    bm = rt.BM25([["cat", "oliver"], ["dog", "luna"], ["dog", "walk", "long", "walk"]])
    s = bm.scores(["luna"])
    assert s[1] > 0 and s[0] == 0 and s[2] == 0


def test_the_read_stops_before_a_unit_that_does_not_fit() -> None:
    units = [
        rd.ReadUnit("Melanie: dog " + "walks " * 60, "Melanie", None, True),
        rd.ReadUnit("Melanie: dog Luna", "Melanie", None, True),
        rd.ReadUnit("Caroline: dog " + "park " * 150, "Caroline", None, True),
    ]
    lib = rt.Library(units)
    assert lib.texts[1] == units[0].text + "\n" + units[1].text  # joined with the whole unit before
    text = lib.read("Melanie dog Luna")
    assert text.startswith(lib.texts[1]) and len(text) <= rt.READ_CHARS
    assert "park" not in text  # no part of a unit that does not fit
    assert rt.Library(units[2:]).read("park dog") == units[2].text[: rt.READ_CHARS]  # the first is cut
