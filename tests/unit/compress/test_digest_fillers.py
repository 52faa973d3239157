"""A span that gives no digest unit (a chat of fillers: ``lol``, ``ok``, ``I I I.``) still gets
one line, dated and attributed as any line is: its stamp is no content, its speaker no role."""

from __future__ import annotations

import datetime as dt

from proxy.compress.digest import build_summary
from proxy.compress.summarizer import DroppedMessage, SummaryRequest


def _line(span: tuple[DroppedMessage, ...], start: dt.date | None = None) -> str:
    text = build_summary(SummaryRequest(None, span, 300, "gpt-4o", start_day=start))
    lines = [line for line in text.split("\n") if line.startswith("- ")]
    assert len(lines) == 1, text
    return lines[0]


def test_a_span_of_fillers_reads_as_its_first_said_line_with_date_and_speaker() -> None:
    header = (
        DroppedMessage("user", "[Session 2 — 4 March 2024]\nDana: I I I."),
        DroppedMessage("assistant", "ok"),
    )
    assert _line(header) == "- [4 March 2024] Dana: I I I."
    assert (
        _line((DroppedMessage("user", "[2023-05-08 13:56] Caroline: lol"),)) == "- [8 May 2023] Caroline: lol"
    )
    # the wire's name field, and the date in force before the span
    named = (DroppedMessage("assistant", "ok", speaker="Sam"),)
    assert _line(named, dt.date(2024, 3, 3)) == "- [3 March 2024] Sam: ok"
    assert _line((DroppedMessage("assistant", "Sam: ok", speaker="Sam"),)) == "- Sam: ok"
    assert _line((DroppedMessage("user", "ok"),)) == "- user: ok"  # nothing else to go by
