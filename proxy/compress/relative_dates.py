"""A relative date given its calendar value from the date in force: ``yesterday`` →
``yesterday (7 May)``, ``last year`` → ``last year (2022)`` (a reader asks "when")."""

from __future__ import annotations

import datetime as dt
import re

from proxy.compress.dates import MONTH_NAMES

_RELATIVE = re.compile(
    r"\b(yesterday|last (?:year|month)|(?:a|one|two|three|four|five|\d{1,2}) years? ago)\b", re.I
)
_NUMBERS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5}


def resolve_relative(text: str, day: dt.date | None) -> str:
    """``yesterday`` → ``yesterday (7 May)``, ``last year`` → ``last year (2022)``: a relative
    date is given its calendar value, from the date in force (a reader asks "when")."""
    if day is None or not _RELATIVE.search(text):
        return text

    def value(m: re.Match[str]) -> str:
        phrase = m.group(1)
        low = phrase.lower()
        if low == "yesterday":
            before = day - dt.timedelta(days=1)  # no year: a full date would read as a new day
            return f"{phrase} ({before.day} {MONTH_NAMES[before.month - 1]})"
        if low == "last year":
            return f"{phrase} ({day.year - 1})"
        if low == "last month":
            month = day.month - 1 or 12
            return f"{phrase} ({MONTH_NAMES[month - 1]} {day.year - (day.month == 1)})"
        n_text = low.split()[0]
        n = int(n_text) if n_text.isdigit() else _NUMBERS.get(n_text, 0)
        return f"{phrase} ({day.year - n})" if n else phrase

    return _RELATIVE.sub(value, text, count=2)
