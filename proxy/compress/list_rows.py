"""A turn written as a list item, a delimited row or a table row, read as ``Name: text``.

- a list item or a quote: ``- Caroline: text``, ``* [2023-05-08 13:56] Caroline: text``,
  ``1. Caroline: text``, ``> Caroline: text``: the marker goes and the rest is read as any
  line is (its stamp, its speaker); an item that opens with neither stays as written
  (``- buy milk``, ``- Note: …``);
- a row of a chat exported as CSV or TSV: ``2023-05-08 13:56:00,Caroline,"text"``,
  ``2023-05-08 13:56\tCaroline\ttext``: the stamp, the sender, the text; the file's header
  above the rows (``date,sender,text``) is framing; a row's stamp may be a time of day alone
  under a day line in a tab-separated export (LINE's: ``Mon, 5/8/2023``, then
  ``13:56\tCaroline\ttext``); a data row, its text only figures (``2023-05-08,London,12.5``),
  is none;
- a Markdown table row with a stamp cell and a sender cell after it: ``| 2023-05-08 13:56 |
  Caroline | text |``, or ``| 13:56 | Caroline | text |`` under a row holding only a date
  (``| 2023-05-08 | | |``), which dates the rows below.
"""

from __future__ import annotations

import datetime as dt
import re

from proxy.compress.dates import is_stamp_word, line_stamp, parse_date
from proxy.compress.speakers import sender_name, speaker_prefix

Read = tuple[dt.date | None, str]

_MARKER = re.compile(r"[ \t]*(?:[-*•+‣◦]|\d{1,3}[.)]|>+)[ \t]+")
_DELIMITERS = ("\t", ",", ";")  # a row's: ``stamp,sender,text``
_MAX_STAMP = 40
_MAX_SENDER = 40
_HEADER = re.compile(r"[\w ]{1,30}+([,\t;])[\w ]{1,30}+(?:\1[\w ]{1,30}+)+")
_MAX_HEADER = 200
_CLOCK = re.compile(r"\d{1,2}:\d{2}(?::\d{2})?(?:[ \t]*[AaPp]\.?[Mm]\.?)?")
_MAX_CELLS = 12
_FIGURE_MARKS = frozenset(" \t.,;:+-−%/|'\"")


def list_item(line: str) -> Read | None:
    """A list item or a quote that opens with a stamp or a ``Name:`` once its marker goes."""
    m = _MARKER.match(line)
    if m is None:
        return None
    day, said = line_stamp(line[m.end() :])
    return (day, said) if day is not None or speaker_prefix(said) is not None else None


def delimited_row(line: str) -> Read | None:
    """``stamp,sender,text`` (or tab- or semicolon-separated), the text unquoted."""
    cuts = [at for sep in _DELIMITERS if (at := line.find(sep, 4, _MAX_STAMP + 1)) >= 0]
    if not cuts:
        return None
    first = min(cuts)
    second = line.find(line[first], first + 1, first + _MAX_SENDER + 2)
    if second < 0:
        return None
    stamp, cell = line[:first].strip(), line[first + 1 : second].strip().strip('"')
    if ":" in cell or not all(is_stamp_word(w) for w in stamp.split()):
        return None
    name = sender_name(cell)
    day = parse_date(stamp) if name else None
    if day is None and (name is None or line[first] != "\t" or not _CLOCK.fullmatch(stamp)):
        return None  # (a time of day alone, as LINE's export writes a tab-separated row under its day line)
    text = line[second + 1 :].strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1].replace('""', '"')
    return (day, f"{name}: {text}") if _said(text) else None


def csv_header(line: str, next_line: str | None) -> bool:
    """Whether ``line`` is a CSV or TSV file's header (``date,sender,text``): field names, and
    a row under it."""
    return (
        next_line is not None
        and next_line[:1].isdigit()
        and len(line) <= _MAX_HEADER
        and _HEADER.fullmatch(line.rstrip("\r")) is not None
        and delimited_row(next_line) is not None
    )


def table_row(line: str) -> Read | None:
    """A table row: a stamp cell, a sender cell after it, the cells after that as the text; a
    row holding only a date is that date."""
    text = line.strip()
    if len(text) < 5 or text[0] != "|" or text[-1] != "|":
        return None
    cells = [c.strip() for c in text[1:-1].split("|")]
    if len(cells) > _MAX_CELLS:
        return None
    filled = [c for c in cells if c]
    if len(filled) == 1:
        day = parse_date(filled[0]) if all(is_stamp_word(w) for w in filled[0].split()) else None
        return (day, "") if day is not None else None
    for i, cell in enumerate(cells[:-1]):
        stamp = any(ch.isdigit() for ch in cell) and all(is_stamp_word(w) for w in cell.split())
        day = parse_date(cell) if stamp else None
        if day is None and not _CLOCK.fullmatch(cell):
            continue
        name = sender_name(cells[i + 1])
        said = " ".join(c for c in cells[i + 2 :] if c)
        return (day, f"{name}: {said}") if name and _said(said) else None
    return None


def _said(text: str) -> bool:
    """Whether a row's text cells say something: a data row's figures (``12.5``, ``3 | 4.1``)
    do not."""
    return any(not (ch.isdigit() or ch in _FIGURE_MARKS) for ch in text)
