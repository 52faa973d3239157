"""Dates in conversations: a session header or timestamp at the start of any line.

Clients render dates every way: ``1:56 pm on 8 May, 2023``, ``29.12.2023, 22:42:04``,
``2023-05-08T13:56:00Z``, ``Session 3 · Friday, 9 June 2023``, ``[Session 2 — 3 March 2024]``,
``Mon 9 Jun 2023 14:02``, ``[2023-05-08 13:56] Caroline: …``, a chat export's
``29.12.2023, 22:42:04 - Name: text``, a chat app's ``Name, [08.05.23 13:56]`` line above the
text. :func:`line_stamp` finds such a stamp where a line starts and returns the line without
it: a stamp is never content.

The words that may form a stamp are read with a cheap scanner; the date itself is read by
python-dateutil, and only when the stamp holds a year and a month (a month name or a numeric
``d.m.y`` / ``y-m-d`` form): a plain number (``3 items``, ``2023 was great``) is never a date.
Results are memoized on the stamp without its time of day, so a timestamp on every turn costs
one dictionary lookup per line after the first of each day.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from functools import lru_cache

from proxy.compress import date_names
from proxy.compress.speakers import NAME, after_stamp, bare_name, irc_nick, speaker_prefix, speaker_shaped
from proxy.compress.yearless import yearless_date

MONTH_NAMES = "January February March April May June July August September October November December".split()
_MONTHS = {m[:3].lower(): i + 1 for i, m in enumerate(MONTH_NAMES)} | {"sept": 9}
_WEEKDAYS = (
    frozenset("mon tue tues wed thu thur thurs fri sat sun".split())
    | frozenset(d.lower() for d in "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split())
    | date_names.weekday_words()
)
# (``day changed``: an IRC log's ``--- Day changed Mon May 08 2023``)
_GLUE = frozenset("on at of the am pm a.m. p.m. utc gmt z date time day changed".split())
_GLUE = _GLUE | frozenset(date_names.GLUE)
_FOREIGN = sorted({n[:3] for names in (*date_names.MONTHS, *date_names.WEEKDAYS) for n in names})
# A line that may start with a stamp: a bracket, a digit, a month or weekday, "Session", "Date"
# (in the languages of date_names, and "le 9 juin").
_MAY_START = re.compile(
    r"[ \t]*+[\[(<*#=~—–•·-]*+[ \t]*+(?:\d|(?:session|date|time|day|part|chat|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec"
    r"|mon|tue|wed|thu|fri|sat|sun|le|"
    + "|".join(map(re.escape, (*_FOREIGN, *date_names.SESSIONS)))
    + r")[^\W\d_]*\.?(?!\w))",
    re.I,
)
_CLOSERS = {"[": "]", "(": ")", "<": ">", "*": "*", "#": ""}
_TIME = re.compile(
    r"(?<!\d)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[ap]\.?m\.?\b)?|\b\d{1,2}\s*[ap]\.?m\.?(?!\w)"
    r"|(?<![\d.])\d{1,2}h\d{2}\b|(?<![\d.])\d{1,2}\.\d{2}(?=\s*uhr\b)",  # 14h02, 14.02 Uhr
    re.I,
)
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?")
_NUMERIC = re.compile(r"(\d{1,4})[./-](\d{1,2})[./-](\d{1,4})")
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
# a chat export's two-digit year (``5/8/23, 1:56 PM``, ``08.05.23, 13:56``): only beside a time of day
_SHORT_YEAR = re.compile(r"(?<![\d.])(\d{1,2})([./])(\d{1,2})\2(\d{2})(?![\d.])")
_MERIDIEM = re.compile(r"\d\s*[ap]\.?m\.?(?!\w)", re.I)  # 1:56 PM: a US stamp, month first
# a time of day before a ``Name:`` (``[13:56] Ana: hi``, ``1:56 PM - Ana: hi``): not content
TIME_PREFIX = re.compile(
    r"[ \t]*(?:\[[ \t]*)?\d{1,2}:\d{2}(?::\d{2})?(?:[ \t]*[ap]\.?m\.?)?(?:[ \t]*\])?[ \t]*[-–—|]?[ \t]*", re.I
)
_SESSION = re.compile(
    r"\b(?:session|day|part|chat|" + "|".join(map(re.escape, date_names.SESSIONS)) + r")\s*#?\d+\b", re.I
)
_TOKEN_STRIP = ",.;·—–-|:()[]<>*#=~"
_ORDINAL = re.compile(r"\d{1,2}(?:st|nd|rd|th|er)", re.I)  # 1st, 1er
_NUMLIKE = re.compile(r"[\d:./tz+-]+")
_MAX_STAMP_CHARS = 80
# ``Ana (29.12.2023, 22:42): hi``, ``Ana [1:56 PM]: hi``: a name, then its stamp in brackets
_NAME_STAMP = re.compile(rf"[ \t]*\**({NAME})\** ?[(\[]([^()\[\]\n]{{4,60}})[)\]] ?[:：]\** ?")
# ``Caroline, [08.05.23 13:56]``, ``Caroline — 05/08/2023 1:56 PM``: a name and its stamp alone
# on a line, the turn's text on the lines after it (how Telegram and Discord copy messages)
_NAME_HEADER = re.compile(  # possessive: no backtracking through a long run of spaces or dashes
    r"[ \t]*+(?:#{1,6}[ \t]++)?\**+([^\W\d_][\w'.’-]*+(?: [^\W\d_][\w'.’-]*+){0,3})\**+"
    r"([ \t]*+)([,—–·|-]?)[ \t]*+(\S.{2,58}\S)[ \t]*+$"
)
_NO_MARKUP = str.maketrans("*#[]()<>|·—–", "            ")
# what a phone's export puts before or inside a stamp: direction marks and a byte-order mark
# (WhatsApp on iOS opens a line with U+200E), no-break spaces (``10:42\u202fPM``)
_MARKS = "\u200e\u200f\u061c\ufeff\u2066\u2067\u2068\u2069"
_SPACES = str.maketrans("\xa0\u202f\u2007\u2009", "    ")


def format_date(day: dt.date) -> str:
    """``8 May 2023``: the full month name, as people write it and ask about it."""
    return f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


def is_stamp_word(word: str) -> bool:
    """A word a stamp may hold: a number, a month or weekday, a time of day, glue (``on``,
    ``at``, ``pm``), punctuation."""
    low = word.strip(_TOKEN_STRIP).lower()
    if not low:
        return True  # punctuation between parts of a stamp
    if low in _GLUE or low.rstrip(".") in _WEEKDAYS or _is_month_word(low):
        return True
    return bool(_NUMLIKE.fullmatch(low) or _ORDINAL.fullmatch(low) or _TIME.fullmatch(low))


def _has_month(text: str) -> bool:
    if _NUMERIC.search(text) or _ISO.search(text):
        return True
    return any(_is_month_word(w) for w in text.split())


_MONTH_WORDS = (
    frozenset(_MONTHS)
    | frozenset(m.lower() for m in MONTH_NAMES)
    | frozenset(n for m in date_names.MONTHS for n in m)
)


def _is_month_word(word: str) -> bool:
    return word.strip(_TOKEN_STRIP).lower().rstrip(".") in _MONTH_WORDS


def _day_month(year: int, a: int, b: int, month_first: bool) -> dt.date:
    """``a/b/year``: day first (``29.12.2023``), month first in a US stamp (``5/8/2023, 1:56
    PM``), either way when only one order is a date."""
    if (month_first and a <= 12) or b > 12:
        return dt.date(year, a, b)
    return dt.date(year, b, a)


def _by_weekday(stamp: str, year: int, a: int, b: int) -> dt.date | None:
    """``Mon, 5/8/2023``: of the two readings of ``a/b`` the one on the weekday the stamp
    names (8 May 2023 was a Monday, 5 August a Saturday); None when the stamp names none, or
    both readings or neither fall on it."""
    if a == b or a > 12 or b > 12 or not any(ch.isalpha() for ch in stamp):
        return None
    info = date_names.parser_info()
    named = next((k for w in stamp.split() if (k := info.weekday(w.strip(_TOKEN_STRIP))) is not None), None)
    if named is None:
        return None
    fits = [day for day in (dt.date(year, a, b), dt.date(year, b, a)) if day.weekday() == named]
    return fits[0] if len(fits) == 1 else None


@lru_cache(maxsize=4096)
def _read(stamp: str, month_first: bool = False) -> dt.date | None:
    """The date of a stamp's words (its time of day already removed), or None; ``month_first``
    reads an ambiguous numeric date month first."""
    iso = _ISO.search(stamp)
    try:
        if iso:
            return dt.date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        num = _NUMERIC.search(stamp)
        if num:
            a, b, c = (int(g) for g in num.groups())
            if a > 31:  # y-m-d
                return dt.date(a, b, c)
            if c > 31:  # d.m.y (or m/d/y)
                return _by_weekday(stamp, c, a, b) or _day_month(c, a, b, month_first)
            return None
        if not _YEAR.search(stamp) or not _has_month(stamp):
            return None
        from dateutil import parser  # on first use: about 1 MB resident that idle does not need

        info = date_names.parser_info()
        day = parser.parse(stamp, info, fuzzy=True, dayfirst=True, default=dt.datetime(1, 1, 1)).date()
        return day if str(day.year) in stamp else None
    except (ValueError, OverflowError, TypeError):
        return None


def parse_date(text: str, us_slashes: bool = False) -> dt.date | None:
    """The full date (day, month, year) a short text such as a digest label names, or None.
    ``us_slashes``: the conversation writes ``m/d/y`` (:func:`slashes_month_first`)."""
    timed = _TIME.search(text) is not None
    month_first = _MERIDIEM.search(text) is not None or (us_slashes and "/" in text)
    text = _SESSION.sub(" ", _TIME.sub(" ", text)).translate(_NO_MARKUP)
    short = _SHORT_YEAR.search(text) if timed and not _YEAR.search(text) else None
    if short is not None:
        try:
            return _day_month(
                2000 + int(short.group(4)), int(short.group(1)), int(short.group(3)), month_first
            )
        except ValueError:
            return None
    if not _has_month(text):
        return None
    if not _YEAR.search(text):
        return yearless_date(text)  # ``Sunday, January 29th``: the weekday names the year
    return _read(" ".join(text.split()), month_first)


def line_stamp(line: str, us_slashes: bool = False) -> tuple[dt.date | None, str]:
    """A date header or timestamp at the start of ``line``, and the line without it.

    ``(None, line)`` when the line does not start with one. Accepted: a bracketed stamp
    (``[2023-05-08 13:56] …``, ``[Session 2 — 3 March 2024]``), a line that is only a stamp
    (``1:56 pm on 8 May, 2023``, ``Session 3 · Friday, 9 June 2023``), or a stamp followed by
    a separator, a ``Name:`` or holding a time of day (``29.12.2023, 22:42:04 - Ana: hi``,
    ``2024-03-14 09:12 Sam: on my way``). A date inside a sentence is content. A time of day
    alone before a ``Name:`` (``[13:56] Ana: hi``) is no date but not content either:
    ``(None, "Ana: hi")``. A stamp in brackets after the name (``Ana (29.12.2023, 22:42): hi``,
    ``Ana [1:56 PM]: hi``) is read too, the line given back as ``Ana: hi``. So is a line that
    is only a name and its stamp, the turn's text on the lines after it (``Ana, [08.05.23
    13:56]``, ``Ana — 05/08/2023 1:56 PM``, ``### Ana — 8 May 2023``, ``[5/8/2023 1:56 PM]
    Ana:``), given back as ``Ana: ``; and an IRC log's ``[13:56] <Ana> hi``, as ``Ana: hi``.
    """
    if line[:1] in _MARKS:
        line = line.lstrip(_MARKS)
    head = line[:_MAX_STAMP_CHARS]
    if head.translate(_SPACES) != head:
        line = head.translate(_SPACES) + line[_MAX_STAMP_CHARS:]
    named = _NAME_STAMP.match(line)
    if named is not None and (found := _named_stamp(named.group(1), named.group(2), us_slashes)) is not None:
        return found[0], f"{named.group(1)}: {line[named.end() :]}"
    header = _NAME_HEADER.match(line)
    if header is not None and (found := _name_header(header, us_slashes)) is not None:
        return found[0], f"{header.group(1)}: "
    if not _MAY_START.match(line):
        return None, irc_nick(line) if line[:1] == "<" else line
    clock = TIME_PREFIX.match(line)
    if clock and speaker_prefix(said := after_stamp(line[clock.end() :])) is not None:
        return None, said  # a time of day alone: no date, not content either
    text = line.lstrip()
    opener = text[:1]
    if opener in "[(<" and (closer := _CLOSERS[opener]) in text[1:_MAX_STAMP_CHARS]:
        end = text.index(closer, 1)
        inner = text[1:end].strip(" *#")
        if _is_stamp_text(inner):
            day = parse_date(inner, us_slashes)
            if day is not None:
                rest = text[end + 1 :].lstrip(" \t*—–-|:·")
                sender = bare_name(rest)  # ``[5/8/2023 1:56 PM] caroline``: the text below
                return day, f"{sender}: " if sender else after_stamp(rest)
        return None, line
    body = text.lstrip("*#=~—–•·- \t")
    words = body.split(" ")
    n = 0
    used = 0
    while n < len(words) and used < _MAX_STAMP_CHARS:
        w = words[n]
        if n + 1 < len(words) and _SESSION.fullmatch(f"{w} {words[n + 1]}".strip(_TOKEN_STRIP + " ")):
            n, used = n + 2, used + len(w) + len(words[n + 1]) + 2
            continue
        if not is_stamp_word(w):
            break
        n, used = n + 1, used + len(w) + 1
        if w in ("-", "–", "—", "|") and speaker_shaped(" ".join(words[n:])):
            break  # the speaker after the stamp's separator: ``… 22:42 - +49 151 23456789: hi``
    if n == 0:
        return None, line
    stamp = " ".join(words[:n])
    rest = " ".join(words[n:])
    day = parse_date(stamp, us_slashes)
    if day is None:
        return None, line
    stamp_end = stamp.rstrip()
    ends_with_separator = stamp_end[-1:] in "-|:·—–" or rest[:1] in "-|·—–"
    iso = _ISO.match(stamp.strip())
    if not rest.strip() or ends_with_separator or iso or _TIME.search(stamp) or speaker_shaped(rest):
        return day, after_stamp(rest.lstrip(" \t*—–-|:·"))
    return None, line


def _name_header(m: re.Match[str], us_slashes: bool) -> tuple[dt.date | None] | None:
    """The date of a line that is only a name and its stamp (``(None,)`` for a time of day
    alone), or ``None`` when it is no such line. A bare stamp (not in brackets) counts only
    after a dash or a wide gap (``Berlin, 9 May 2023`` heads a letter), and a bare time of
    day only after a wide gap (Slack's ``Caroline  1:56 PM``; ``Meeting — 10:30`` is a note)."""
    gap, mark, stamp = m.group(2), m.group(3), m.group(4)
    if not gap and not mark:
        return None
    bracketed = stamp[0] + stamp[-1] in ("[]", "()") and not any(c in stamp[1:-1] for c in "[]()")
    inner = stamp[1:-1] if bracketed else stamp
    if not bracketed and (mark == "," or (not mark and len(gap) < 2)):
        return None
    found = _named_stamp(m.group(1), inner, us_slashes)
    if found is not None and found[0] is None and not bracketed and mark:
        return None
    return found


def _named_stamp(name: str, inner: str, us_slashes: bool) -> tuple[dt.date | None] | None:
    """The date of ``Name (stamp):`` (``(None,)`` for a time of day alone), or ``None`` when
    ``name`` is no speaker's or ``inner`` no stamp."""
    if speaker_prefix(f"{name}: .") is None:
        return None
    if TIME_PREFIX.fullmatch(inner):
        return (None,)
    day = parse_date(inner, us_slashes) if _is_stamp_text(inner) else None
    return None if day is None else (day,)


def _is_stamp_text(inner: str) -> bool:
    """A bracketed text that is a stamp: only stamp words (and ``Session N``)."""
    inner = _SESSION.sub(" ", inner)
    return all(is_stamp_word(w) for w in inner.split())


def header_day(text: str) -> dt.date | None:
    """The date of a text that is only a date header (``Session 3 · Friday, 9 June 2023``; the
    last, when it has several lines of them), else ``None``: a header a client sent as a
    message of its own."""
    day = None
    for line in text.split("\n"):
        if line.strip():
            found, rest = line_stamp(line)
            if found is None or rest.strip():
                return None
            day = found
    return day


def first_stamp(text: str) -> tuple[dt.date | None, str]:
    """The stamp on the first line of ``text`` and the text without it (see :func:`line_stamp`)."""
    first, sep, rest = text.partition("\n")
    day, after = line_stamp(first)
    if day is None:
        return None, text
    return day, (after + sep + rest if after.strip() else rest).lstrip()


# a slash date that can only be month first (``5/25/2023``) or only day first (``25/5/2023``)
_US_SLASH = re.compile(r"(?<![\d/])(?:0?[1-9]|1[0-2])/(?:1[3-9]|2\d|3[01])/\d{2,4}(?![\d/])")
_EU_SLASH = re.compile(r"(?<![\d/])(?:1[3-9]|2\d|3[01])/(?:0?[1-9]|1[0-2])/\d{2,4}(?![\d/])")
_ORDER_CHARS = 48  # a stamp opens its line


def slashes_month_first(lines: Sequence[str]) -> bool:
    """Whether ``lines`` write their slash dates month first: a stamp opening a line reads only
    so (``5/25/2023``) and none only day first (``25/5/2023``). A US export without AM/PM
    (``5/8/2023 13:56``, LINE's ``Mon, 5/8/2023``) then reads as it was written."""
    us = False
    for line in lines:
        head = line[:_ORDER_CHARS]
        if "/" not in head:
            continue
        if _EU_SLASH.search(head):
            return False
        us = us or _US_SLASH.search(head) is not None
    return us
