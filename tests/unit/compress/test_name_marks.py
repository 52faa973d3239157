"""A speaker named without a colon (``[Priya] text``, ``Priya> text``, ``Priya — text``, a
screenplay's ``PRIYA`` above the text) read as ``Name: text``; the same shapes in prose and
code stay content.

The fixtures are :mod:`rendered_chat`'s (Priya and Tom over three sessions).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from proxy.compress.chat_lines import stamped_lines
from proxy.compress.digest_units import turns
from proxy.compress.summarizer import DroppedMessage
from tests.unit.compress.rendered_chat import (
    assert_every_fact_attributed,
    assert_read_as_a_chat,
    digest_lines,
    one_per_turn,
)
from tests.unit.compress.test_chat_app_renderings import merged_days

MAY8 = dt.date(2023, 5, 8)


def read(text: str) -> list[tuple[dt.date | None, str]]:
    return stamped_lines(text.split("\n"))


def test_a_bracketed_name_and_a_prompt_name_the_speaker_on_any_line() -> None:
    assert read("[Priya] I adopted a greyhound.") == [(None, "Priya: I adopted a greyhound.")]
    assert read("[13:56] [Tom Baker] Brilliant!") == [(None, "Tom Baker: Brilliant!")]
    assert read("[2023-05-08 13:56] [Tom] Brilliant!") == [(MAY8, "Tom: Brilliant!")]
    assert read("Priya> I adopted a greyhound.") == [(None, "Priya: I adopted a greyhound.")]
    assert read("1:56 PM Tom> hi") == [(None, "Tom: hi")]


@pytest.mark.parametrize(
    "content",
    [
        "[Errno 2] No such file or directory",  # a number: no name
        "[Docs](https://example.com) say so",  # a Markdown link
        "[Note] call Ines",  # a note's label
        "[x] done",  # a task list's box
        "[1] Smith, 2020",  # a citation
        "Settings > Privacy",  # a menu path: a space before the ``>``
        "a>b",
        "x> 3",  # lowercase: no name
        "(13:56) the train left",  # a time of day, then no name
    ],
)
def test_content_shaped_like_a_name_mark_stays_content(content: str) -> None:
    assert read(content) == [(None, content)]


def test_a_dash_and_a_name_in_capitals_name_speakers_only_as_a_convention() -> None:
    dashes = "8 May 2023\nPriya — I adopted a greyhound.\nTom – Brilliant!\nPriya - His name is Pesto."
    assert read(dashes) == [(MAY8, ""), (None, "Priya: I adopted a greyhound."), (None, "Tom: Brilliant!"),
                            (None, "Priya: His name is Pesto.")]  # fmt: skip
    screenplay = "PRIYA\nI adopted a greyhound.\n\nTOM\nBrilliant!\nWhat's his name?\n\nPRIYA\nPesto."
    assert [rest for _, rest in read(screenplay)] == ["PRIYA: ", "I adopted a greyhound.", "", "TOM: ", "Brilliant!",
                                                      "What's his name?", "", "PRIYA: ", "Pesto."]  # fmt: skip
    prose = [
        "Paris — the city of light — was our first stop.\nWe stayed a week and saw the Louvre.\nThen Rome.",
        "INTRODUCTION\nThis guide explains the setup.\n\nUSAGE\nRun the tool.\n\nLICENSE\nMIT.",  # no name comes back
        "Priya — hi\nTom — hey",  # two lines: too few
    ]
    for text in prose:
        assert read(text) == [(None, line) for line in text.split("\n")], text


def test_the_convention_is_read_across_the_span_one_turn_a_message() -> None:
    dropped = (
        DroppedMessage("user", "Priya — I adopted a greyhound."),
        DroppedMessage("assistant", "Tom — Brilliant! What's his name?"),
        DroppedMessage("user", "Priya — Pesto."),
    )
    assert [(t.who, t.text) for t in turns(dropped, None)] == [
        ("Priya", "I adopted a greyhound."), ("Tom", "Brilliant! What's his name?"), ("Priya", "Pesto.")
    ]  # fmt: skip
    tool = (
        DroppedMessage("user", "Fix it."),
        DroppedMessage("tool", "Paris — a\nParis — b\nParis — c", tool_name="t"),
    )
    assert turns(tool, None)[1].text.startswith("Paris — a")  # a tool's output follows no chat convention


RENDERINGS = {
    "bracketed": lambda: merged_days(lambda w: f"{w.day} {w:%B %Y}", lambda w, k, who, text: f"[{who}] {text}"),
    "clock-bracketed": lambda: one_per_turn(lambda w, k, who, text: f"[{w:%d.%m.%Y} {w:%H}:{w.minute + k:02d}] [{who}] {text}"),
    "prompt": lambda: merged_days(lambda w: f"{w:%A}, {w.day} {w:%B %Y}", lambda w, k, who, text: f"{who}> {text}"),
    "dash": lambda: merged_days(lambda w: f"{w.day} {w:%B %Y}", lambda w, k, who, text: f"{who} — {text}"),
    "screenplay": lambda: merged_days(lambda w: f"{w.day} {w:%B %Y}\n", lambda w, k, who, text: f"{who.upper()}\n{text}\n"),
}  # fmt: skip


@pytest.mark.parametrize("rendering", sorted(RENDERINGS))
def test_every_fact_keeps_its_speaker_and_day(rendering: str) -> None:
    if rendering == "screenplay":  # the digest writes the name as the transcript does
        assert_every_fact_attributed(digest_lines(RENDERINGS[rendering]()), str.upper)
        return
    body = assert_read_as_a_chat(RENDERINGS[rendering](), ("[Priya]", "[Tom]", "Priya>", "Tom>", " — "))
    assert not re.search(r"\b(?:user|assistant):", body)
