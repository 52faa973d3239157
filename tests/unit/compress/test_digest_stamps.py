"""A line's date stamp however a client writes it (a session header, a timestamp, a chat
export's, a time before a name), never taken from content or plain numbers, and a relative
date given its calendar value.
"""

from __future__ import annotations

import datetime as dt

from proxy.compress.dates import line_stamp
from proxy.compress.relative_dates import resolve_relative


def test_stamp_formats_and_guards_against_plain_numbers() -> None:
    may8 = dt.date(2023, 5, 8)
    assert line_stamp("1:56 pm on 8 May, 2023") == (may8, "")
    assert line_stamp("29.12.2023, 22:42:04") == (dt.date(2023, 12, 29), "")
    assert line_stamp("2023-05-08") == (may8, "")
    assert line_stamp("2023-05-08T13:56:00Z Tom: hi") == (may8, "Tom: hi")
    assert line_stamp("Session 3 · Friday, 9 June 2023") == (dt.date(2023, 6, 9), "")
    assert line_stamp("[Session 2 — 3 March 2024]") == (dt.date(2024, 3, 3), "")
    assert line_stamp("Mon 9 Jun 2023 14:02") == (dt.date(2023, 6, 9), "")
    assert line_stamp("[2023-05-08 13:56] Caro: on my way") == (may8, "Caro: on my way")
    assert line_stamp("29.12.2023, 22:42:04 - Ana Ruiz: see you") == (
        dt.date(2023, 12, 29),
        "Ana Ruiz: see you",
    )
    assert line_stamp("DATE: 8 May, 2023") == (may8, "")
    assert line_stamp("[Monday 13 February 2023 · session 1]") == (dt.date(2023, 2, 13), "")
    assert line_stamp("Day 3 · Sunday, 9 June 2023") == (dt.date(2023, 6, 9), "")
    for content in ("3 items were left", "2023 was a good year", "12 May 2023 was the day we met",
                    "On 8 May, 2023 we went out", "May I ask?", "10.5 million people", "(2 of 5)",
                    "Friday 14:00", "[ctxproxy: output omitted]"):  # fmt: skip
        assert line_stamp(content) == (None, content), content


def test_chat_export_stamps_decorated_headers_and_a_time_before_a_name() -> None:
    may8 = dt.date(2023, 5, 8)
    # WhatsApp exports: a US phone writes month first with AM/PM and a two-digit year
    assert line_stamp("5/8/23, 1:56 PM - Caroline: hi") == (may8, "Caroline: hi")
    assert line_stamp("[5/8/23, 1:56:12 PM] Caroline: hi") == (may8, "Caroline: hi")
    assert line_stamp("5/8/2023, 1:56 PM - Caroline: hi") == (may8, "Caroline: hi")
    assert line_stamp("08/05/23, 13:56 - Caroline: hi") == (may8, "Caroline: hi")  # day first
    assert line_stamp("[13:56, 8/5/2023] Caroline: hi") == (may8, "Caroline: hi")
    assert line_stamp("12/25/23, 9:01 AM - Ana: merry") == (dt.date(2023, 12, 25), "Ana: merry")
    # headers between rules
    assert line_stamp("=== Session 2 (8 May 2023) ===") == (may8, "")
    assert line_stamp("--- 2023-05-08 ---") == (may8, "")
    assert line_stamp("— Monday 8 May 2023 —") == (may8, "")  # typographic dashes and bullets too
    assert line_stamp("• 8 May 2023 · 13:56 · Caroline: hi") == (may8, "Caroline: hi")
    # a time of day alone: no date, but neither content nor in the way of the speaker
    assert line_stamp("[13:56] Caroline: hi") == (None, "Caroline: hi")
    assert line_stamp("1:56 PM - Caroline: hi") == (None, "Caroline: hi")
    # the stamp after the name, in brackets
    assert line_stamp("Fahim Khan (29.12.2023, 22:42:04): hi") == (dt.date(2023, 12, 29), "Fahim Khan: hi")
    assert line_stamp("Caroline [8 May 2023, 1:56 pm]: hi") == (may8, "Caroline: hi")
    assert line_stamp("Caroline (1:56 PM): hi") == (None, "Caroline: hi")
    for content in ("Caroline (my friend): hi", "Note (8 May 2023): see above", "Dana (2023): what",
                    "The meeting (8 May 2023): agenda", "def f(x): return x"):  # fmt: skip
        assert line_stamp(content) == (None, content), content
    for content in ("1.2.10 - fixed the parser", "5/8/23 was a Monday", "12/25/23 - Ana: no time, no stamp",
                    "--- a/src/app.py", "=== FAILURES ===", "- 3 apples and 2 pears",
                    "10:30 is when we meet", "13:56 the build broke"):  # fmt: skip
        assert line_stamp(content) == (None, content), content


def test_relative_dates_get_their_calendar_value() -> None:
    day = dt.date(2023, 6, 9)
    assert resolve_relative("I went yesterday", day) == "I went yesterday (8 June)"
    assert resolve_relative("painted it last year", day) == "painted it last year (2022)"
    assert resolve_relative("moved three years ago", day) == "moved three years ago (2020)"
    assert resolve_relative("yesterday", None) == "yesterday"
