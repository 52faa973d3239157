"""The reader benchmark's reading units of a compressed request: a digest's segments with
their label and the date in force, a kept turn as one unit, content words as they are written.
"""

from __future__ import annotations

from tests.bench.reader import reading as rd
from tests.bench.reader.render import system_prompt
from tests.unit.bench.readerkit import digest_body, tiny


def test_digest_segments_get_their_label_and_the_date_of_the_line() -> None:
    body = digest_body(
        [
            "- [8 May 2023] Caroline: support group yesterday | Melanie: painted lake sunrise",
            "- [12 Jul 2023] user: 2023-07-14 19:07 Caroline adopted cat Oliver | LGBTQ conference",
            "- Dana: [3 Mar 2024] took up cello; [9 Apr 2024] moved to Leeds | [20 Apr 2024] Dana: band",
            "- 9 June 2023",
            "- Caroline: new job",
        ],
        [{"role": "assistant", "content": "Caroline: The colours blend so nicely."}],
    )
    units = rd.reading_units(body, system_prompt(tiny()))
    got = [(u.speaker, str(u.day), u.digest) for u in units]
    assert got == [
        ("Caroline", "8 May 2023", True),
        ("Melanie", "8 May 2023", True),
        ("user", "12 July 2023", True),  # a stamp after a label is content, not a date in force
        (None, "12 July 2023", True),  # no label: no speaker
        ("Dana", "12 July 2023", True),  # a [date] inside a line is content
        (None, "12 July 2023", True),  # … also at a segment's start
        ("Caroline", "9 June 2023", True),  # a line that is only a date is a header
        ("Caroline", "9 June 2023", False),  # a kept turn after the digest: the last date in force
    ]
    assert units[2].content == "2023-07-14 19:07 Caroline adopted cat Oliver"


def test_a_kept_turn_of_several_lines_is_one_unit() -> None:
    kept = [
        {
            "role": "user",
            "content": "7:05 pm on 12 July, 2023 Caroline: Two days ago:\nthe conference.\nMelanie: Nice",
        },
        {
            "role": "assistant",
            "name": "Melanie",
            "content": "Session 3 · Friday, 14 July 2023\nLine one\nline two",
        },
    ]
    units = rd.reading_units(digest_body([], kept), system_prompt(tiny()))
    assert [(u.speaker, str(u.day), u.content) for u in units] == [
        ("Caroline", "12 July 2023", "Two days ago:\nthe conference."),
        ("Melanie", "12 July 2023", "Nice"),
        ("Melanie", "14 July 2023", "Line one\nline two"),
    ]


def test_a_digest_line_opening_with_a_date_is_dated_by_it() -> None:
    units = rd.reading_units(
        digest_body(["- 7:55 pm 9 June 2023 Caroline: hey there"]), system_prompt(tiny())
    )
    assert [(u.speaker, str(u.day)) for u in units] == [("Caroline", "9 June 2023")]


def test_content_words_are_not_stemmed() -> None:
    assert rd.words("Caroline's hiking trips, didn't she? 3 times in 2023!") == [
        "caroline",
        "hiking",
        "trips",
        "3",
        "times",
        "2023",
    ]
