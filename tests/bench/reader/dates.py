"""The date a reader takes from the start of a line or from a digest line's label.

Written independently of the proxy's parser, on purpose: a date counts only where a reader
would take it as the date in force — at the start of a line or of the label ``[…]`` that opens a
digest line (never inside content: :mod:`reading` decides where it looks) — after at most a
session number, a weekday and a time of day. Recognised:
``1:56 pm on 8 May, 2023``, ``[2023-05-08 13:56]``, ``2023-05-08T13:56``,
``29.12.2023, 22:42:04``, ``Session 3 · Friday, 9 June 2023``, ``[Session 2 — 3 March 2024]``,
``Mon 9 Jun 2023 14:02``, ``March 14, 2024``, ``[wk 11 Mar 2024]``, a two-digit year
(``[08.05.23 13:56]``), a US phone's export, month first (``5/8/23, 1:56 PM -``), an IRC log's ``--- Day changed Mon May 08 2023`` and a month
``[Mar 2024]`` (day unknown).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

MONTHS = "january february march april may june july august september october november december".split()
_MONTH = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_WEEKDAY = r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|sday|rsday|urday)?\.?"
_TIME = r"\d{1,2}[:.]\d{2}(?:[:.]\d{2})?(?:\s*[ap]\.?m\.?)?"
_PREFIX = (
    r"^[\s\-\[\(•·—–|,:*]*"
    rf"(?:(?:session\s+\d+|day\s+changed|wk|week(?:\s+of)?|on|at|{_TIME}|{_WEEKDAY})[\s·—–,:\-]*)*"
)
_DATE = (
    r"(?:(?P<iy>\d{4})-(?P<im>\d{1,2})-(?P<id>\d{1,2})"
    r"|(?P<dd>\d{1,2})\.(?P<dm>\d{1,2})\.(?P<dy>\d{4})"
    r"|(?P<sd>\d{1,2})\.(?P<sm>\d{1,2})\.(?P<sy>\d{2})(?=[\s,\]]|$)"
    r"|(?P<um>\d{1,2})/(?P<ud>\d{1,2})/(?P<uy>\d{2}(?:\d{2})?)(?=[\s,\]]|$)"
    rf"|(?P<xd>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<xm>{_MONTH}),?\s+(?P<xy>\d{{4}})"
    rf"|(?P<ym>{_MONTH})\s+(?P<yd>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<yy>\d{{4}})"
    rf"|(?P<mm>{_MONTH}),?\s+(?P<my>\d{{4}}))(?!\d)"
)
_TAIL = rf"(?:(?:[\sT,]+|\s+at\s+){_TIME})?\s*[\]\)]?(?:\s*[\-–—·:]\s+|\s*)"
_LEADING = re.compile(_PREFIX + _DATE + _TAIL, re.I)


@dataclass(frozen=True, slots=True)
class Day:
    year: int
    month: int
    day: int | None  # None: a month label

    def __str__(self) -> str:
        month = MONTHS[self.month - 1].capitalize()
        return f"{self.day} {month} {self.year}" if self.day else f"{month} {self.year}"


def _month(name: str) -> int:
    name = name.lower().rstrip(".")
    return next(i + 1 for i, m in enumerate(MONTHS) if m.startswith(name[:3]))


def _day(year: int, month: int, day: int | None) -> Day | None:
    try:
        dt.date(year, month, day or 1)
    except ValueError:
        return None
    return Day(year, month, day)


def _from_match(m: re.Match[str]) -> Day | None:
    g = m.groupdict()
    if g["iy"]:
        return _day(int(g["iy"]), int(g["im"]), int(g["id"]))
    if g["dy"]:
        return _day(int(g["dy"]), int(g["dm"]), int(g["dd"]))
    if g["sy"]:
        return _day(2000 + int(g["sy"]), int(g["sm"]), int(g["sd"]))
    if g["uy"]:
        year = int(g["uy"])
        return _day(year + 2000 if year < 100 else year, int(g["um"]), int(g["ud"]))
    if g["xy"]:
        return _day(int(g["xy"]), _month(g["xm"]), int(g["xd"]))
    if g["yy"]:
        return _day(int(g["yy"]), _month(g["ym"]), int(g["yd"]))
    return _day(int(g["my"]), _month(g["mm"]), None)


def leading_date(text: str) -> tuple[Day, int] | None:
    """The date a text opens with and where its stamp ends (the rest is content), or None."""
    m = _LEADING.match(text)
    if m is None:
        return None
    day = _from_match(m)
    return (day, m.end()) if day else None


def day_score(found: Day | None, truth: dt.date) -> float:
    """1 for the same day, 0.5 for the same month (or a month label), else 0."""
    if found is None or (found.year, found.month) != (truth.year, truth.month):
        return 0.0
    return 1.0 if found.day == truth.day else 0.5
