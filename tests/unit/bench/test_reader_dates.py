"""The reader benchmark's dates: a line's leading date in every format the renderings write,
no date from a line's content or a plain number, and the score of a day read against the truth.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.bench.reader.dates import Day, day_score, leading_date
from tests.bench.reader.dialogue import parse_locomo_time, turn_time
from tests.unit.bench.readerkit import S1


@pytest.mark.parametrize(
    ("text", "day", "rest"),
    [
        ("1:56 pm on 8 May, 2023", Day(2023, 5, 8), ""),
        ("[2023-05-08 13:56] Caroline: hi", Day(2023, 5, 8), "Caroline: hi"),
        ("2023-05-08T13:56 Caroline: hi", Day(2023, 5, 8), "Caroline: hi"),
        ("29.12.2023, 22:42:04 - Bob: ok", Day(2023, 12, 29), "Bob: ok"),
        ("Session 3 · Friday, 9 June 2023", Day(2023, 6, 9), ""),
        ("[Session 2 — 3 March 2024]", Day(2024, 3, 3), ""),
        ("Mon 9 Jun 2023 14:02 Bob: hey", Day(2023, 6, 9), "Bob: hey"),
        ("March 14, 2024", Day(2024, 3, 14), ""),
        ("wk 11 Mar 2024", Day(2024, 3, 11), ""),
        ("Mar 2024", Day(2024, 3, None), ""),
    ],
)
def test_leading_date_formats(text: str, day: Day, rest: str) -> None:
    found = leading_date(text)
    assert found is not None
    assert found[0] == day
    assert text[found[1] :] == rest


@pytest.mark.parametrize(
    "text",
    ["I have 300 cats", "12 apples in 2023", "Caroline: went on 8 May, 2023", "31 February 2024", "2023"],
)
def test_no_date_in_force_inside_content_or_from_plain_numbers(text: str) -> None:
    assert leading_date(text) is None


def test_day_score() -> None:
    truth = dt.date(2023, 5, 7)
    assert day_score(Day(2023, 5, 7), truth) == 1.0
    assert day_score(Day(2023, 5, 8), truth) == 0.5
    assert day_score(Day(2023, 5, None), truth) == 0.5
    assert day_score(Day(2023, 6, 7), truth) == 0.0
    assert day_score(None, truth) == 0.0


def test_locomo_time() -> None:
    assert parse_locomo_time("1:56 pm on 8 May, 2023") == S1
    assert turn_time(dt.datetime(2023, 1, 1, 23, 58), 5).date() == dt.date(2023, 1, 1)
