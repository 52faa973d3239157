"""A date written without its year, the weekday beside it: how Slack heads a day of this year
(``Sunday, January 29th``) and some apps stamp a message (``Mon 9 Jun 14:02``).

The weekday names the year: the latest year, up to today, in which that day of that month
falls on that weekday. Without a weekday a year-less date is not read (``March 3`` is too
often a title or a sentence)."""

from __future__ import annotations

import datetime as dt
import re

from proxy.compress import date_names

_DAY = re.compile(r"(\d{1,2})(?:st|nd|rd|th|er|\.)?", re.I)
_STRIP = ",.;·—–-|:()[]<>*#=~"
_YEARS_BACK = 28  # the calendar repeats every 28 years: every (day, weekday) pair is in there


def yearless_date(text: str, today: dt.date | None = None) -> dt.date | None:
    """The date of ``text`` (stamp words only: a weekday, a month, a day of the month and no
    year), its year taken from the weekday; None when it names no weekday, month or day, or
    when the three agree in no year up to ``today`` (default: the date today)."""
    info = date_names.parser_info()  # (memoized)
    weekday = month = None
    days: list[int] = []
    for word in text.split():
        w = word.strip(_STRIP)
        if not w:
            continue
        if (m := _DAY.fullmatch(w)) is not None:
            days.append(int(m.group(1)))
        elif weekday is None and (k := info.weekday(w)) is not None:
            weekday = k
        elif month is None and (k := info.month(w)) is not None:
            month = k
    if weekday is None or month is None or len(days) != 1:
        return None
    today = today or dt.date.today()
    latest = today + dt.timedelta(days=1)  # a stamp written where it is already tomorrow
    for year in range(latest.year, latest.year - _YEARS_BACK, -1):
        try:
            day = dt.date(year, month, days[0])
        except ValueError:
            continue
        if day.weekday() == weekday and day <= latest:
            return day
    return None
