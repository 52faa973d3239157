"""A turn written as a list item, a CSV or TSV row, or a Markdown table row: read as
``Name: text`` with its day; what is only shaped like one stays as written.

The fixtures are :mod:`rendered_chat`'s (Priya and Tom over three sessions).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from proxy.compress.chat_lines import day_after, stamped_lines
from tests.unit.compress.rendered_chat import assert_read_as_a_chat
from tests.unit.compress.test_chat_app_renderings import merged_days

MAY8 = dt.date(2023, 5, 8)


def read(line: str) -> tuple[dt.date | None, str]:
    return stamped_lines([line])[0]


def test_a_list_item_or_a_quote_reads_as_the_line_after_its_marker() -> None:
    for item in ("- Priya: I adopted a greyhound.", "* Priya: I adopted a greyhound.", "• Priya: I adopted a greyhound.",
                 "1. Priya: I adopted a greyhound.", "12) Priya: I adopted a greyhound.", "> Priya: I adopted a greyhound."):  # fmt: skip
        assert read(item) == (None, "Priya: I adopted a greyhound."), item
    assert read("* [2023-05-08 13:56] Priya: hi") == (MAY8, "Priya: hi")
    assert read("- 2023-05-08: moved to Leeds") == (MAY8, "moved to Leeds")


def test_a_csv_tsv_or_table_row_names_its_sender() -> None:
    assert read('2023-05-08 13:56:00,Priya,"I went, then ""left"""') == (MAY8, 'Priya: I went, then "left"')
    assert read("2023-05-08 13:56\tPriya\tI adopted a greyhound.") == (MAY8, "Priya: I adopted a greyhound.")
    assert read("08.05.2023;tom;hi all") == (MAY8, "Tom: hi all")
    assert read("| 2023-05-08 13:56 | Priya | I adopted | a greyhound |") == (
        MAY8,
        "Priya: I adopted a greyhound",
    )
    assert read("| 13:56 | Tom | Brilliant! |") == (None, "Tom: Brilliant!")
    assert read("| 2023-05-08 | | |") == (MAY8, "")
    # a turn with commas in it is no row
    assert read("2023-05-08T13:56:00Z Priya: Wow, Tom, that is great") == (
        MAY8,
        "Priya: Wow, Tom, that is great",
    )
    # a CSV's header is framing when rows follow it
    assert stamped_lines(["date,sender,text", "2023-05-08 13:56:00,Priya,hi"]) == [
        (None, ""),
        (MAY8, "Priya: hi"),
    ]
    assert stamped_lines(["Yes, sure, why not", "Tom: ok"])[0] == (None, "Yes, sure, why not")


def test_a_line_export_dates_its_time_only_rows_by_the_day_line_above() -> None:
    # LINE writes a day line (numbers in the phone's order, the weekday beside them), then rows
    # of a time of day, the sender and the text, tab-separated
    lines = ["Mon, 5/8/2023", "13:56\tPriya\tI adopted a greyhound.", "13:57\tTom\tBrilliant!"]
    assert stamped_lines(lines) == [
        (MAY8, ""),
        (None, "Priya: I adopted a greyhound."),
        (None, "Tom: Brilliant!"),
    ]
    # the weekday picks the order of the numbers: 8 May 2023 was a Monday, 5 August a Saturday
    assert read("Sat, 5/8/2023") == (dt.date(2023, 8, 5), "")
    assert read("Mon 08.05.2023") == (MAY8, "")
    assert read("Tue, 5/9/2023") == (dt.date(2023, 9, 5), "")  # both were Tuesdays: day first, as without one
    # unless the chat writes its slash dates month first elsewhere (``5/25/2023`` reads only so)
    us = stamped_lines(["Tue, 5/9/2023", "13:56\tTom\thi", "Thu, 5/25/2023", "09:00\tPriya\they"])
    assert [day for day, _ in us] == [dt.date(2023, 5, 9), None, dt.date(2023, 5, 25), None]
    eu = stamped_lines(["Tue, 5/9/2023", "13:56\tTom\thi", "Fri, 25/8/2023", "09:00\tPriya\they"])
    assert [day for day, _ in eu] == [dt.date(2023, 9, 5), None, dt.date(2023, 8, 25), None]
    assert stamped_lines(["08.05.2023 Tom: hi", "5/25/2023 Priya: hey"])[0][0] == MAY8  # dots stay day first
    assert read("12:00\t42\tx") == (None, "12:00\t42\tx")


def test_the_day_in_effect_after_a_message_is_read_as_its_lines_are() -> None:
    # (a kept first message dates the digest's first lines: a table's date row, a mail's ``Sent:``)
    assert day_after("| 2023-05-08 | | |\n| 13:56 | Tom | hi |") == MAY8
    assert day_after("From: Tom <tom@example.com>\nSent: Monday, May 8, 2023 1:56 PM\n\nhi") == MAY8
    assert day_after("Tue, 5/9/2023\nThu, 5/25/2023\nTue, 5/9/2023\n13:56\tTom\thi") == dt.date(2023, 5, 9)
    assert day_after("no date here") is None


@pytest.mark.parametrize(
    "content",
    [
        "- buy milk",
        "- Note: call the vet",  # a note's label is no speaker
        "-Priya: no space after the marker",
        "12. Step: one",
        "3,4,5",
        "2023, Priya, a good year",  # a year alone is no stamp
        "| Name | Age |",
        "| Alice | 30 |",
        "|---|---|",
        "| May 2023 sales up | Tom | hi |",  # a cell with words is no stamp
        "| 13:56 | 42 | x |",  # no sender
        "2023-05-08,London,12.5",  # a data row: its text only figures
        "2023-05-08\tLondon\t12.5\t-3.1%",
        "| 2023-05-08 | London | 12.5 | 14 |",
        "12:30,Lunch,at the café",  # a schedule: a time of day alone reads so in tab-separated rows only
    ],
)
def test_content_shaped_like_a_row_or_an_item_stays_as_written(content: str) -> None:
    assert read(content) == (None, content)


RENDERINGS = {
    "bullets": lambda: merged_days(lambda w: f"{w.day} {w:%B %Y}", lambda w, k, who, text: f"- {who}: {text}"),
    "numbered": lambda: merged_days(lambda w: f"{w:%A}, {w.day} {w:%B %Y}", lambda w, k, who, text: f"{k + 1}. {who}: {text}"),
    "csv": lambda: merged_days(lambda w: "date,sender,text", lambda w, k, who, text: f'{w:%Y-%m-%d} {w:%H}:{w.minute + k:02d}:00,{who},"{text}"'),
    "tsv": lambda: merged_days(lambda w: "", lambda w, k, who, text: f"{w:%Y-%m-%d} {w:%H}:{w.minute + k:02d}\t{who.lower()}\t{text}"),
    "line": lambda: merged_days(lambda w: f"{w:%a}, {w.month}/{w.day}/{w.year}", lambda w, k, who, text: f"{w:%H}:{w.minute + k:02d}\t{who}\t{text}"),
    "table": lambda: merged_days(lambda w: f"| {w:%Y-%m-%d} | | |", lambda w, k, who, text: f"| {w:%H}:{w.minute + k:02d} | {who} | {text} |"),
}  # fmt: skip


@pytest.mark.parametrize("rendering", sorted(RENDERINGS))
def test_every_fact_keeps_its_speaker_and_day(rendering: str) -> None:
    body = assert_read_as_a_chat(RENDERINGS[rendering](), ("2023-05-08", "13:5", "|  |", '",'))
    assert not re.search(r"\b(?:user|assistant|priya|tom):", body), body
