"""A chat's lines read with the lines around them: what one line alone does not say.

:func:`~proxy.compress.dates.line_stamp` reads a line's stamp and speaker. Four things need
the lines around it:

- a transcript, a mail thread, a subtitle file or a JSON log names its speakers its own way
  (:mod:`transcripts`): a mail header's ``To:`` line is framing only under its ``From:``;
- a sender's name alone on the line under a line that is only a stamp, the text on the lines
  after it (an iMessage export: ``May 08, 2023  1:56:12 PM``, then ``Caroline``, then the
  text) reads ``Caroline: ``, as the name after a stamp does (:func:`stamped_lines`);
- a speaker named with a dash or in capitals alone (``Caroline — text``, ``CAROLINE``) only
  as a convention the lines follow together (:mod:`name_marks`), a whole span's lines in
  :func:`said_messages`;
- a chat app's own lines say nothing (:mod:`app_lines`): a placeholder loses its text, its
  ``Name:`` kept (the turn changes hands), and a notice after a stamp is no one's line
  (:func:`said_messages`).

:func:`day_after` reads the date in effect after a text the same way, from its last line back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from proxy.compress import app_lines, name_marks, transcripts
from proxy.compress.dates import line_stamp, slashes_month_first
from proxy.compress.speakers import bare_name, speaker_prefix

Read = tuple[dt.date | None, str]


def stamped_lines(lines: list[str], us_slashes: bool | None = None) -> list[Read]:
    """Each line's stamp and the line without it (:func:`line_stamp`), or what a transcript,
    mail thread, subtitle file or JSON log writes it as (:mod:`transcripts`); a name alone
    under a line that is only a dated stamp reads ``Name: ``; a speaker named without a
    colon as :mod:`name_marks` reads it, the lines read together. ``us_slashes``: whether
    slash dates are month first (default: as :func:`slashes_month_first` reads ``lines``)."""
    us = slashes_month_first(lines) if us_slashes is None else us_slashes
    return name_marks.by_convention([_read(lines, us)])[0]


def said_messages(texts: Sequence[list[str]], us_slashes: bool | None = None) -> list[list[Read]]:
    """Each message's lines read as :func:`stamped_lines` reads one text's, the messages read
    together (a speaker convention of the whole span counts, one turn a message too), a chat
    app's own lines emptied: what was said on each line."""
    us = (
        slashes_month_first([line for lines in texts for line in lines]) if us_slashes is None else us_slashes
    )
    reads = name_marks.by_convention([_read(lines, us) for lines in texts])
    return [
        [_said(line, day, rest) for line, (day, rest) in zip(lines, read, strict=True)]
        for lines, read in zip(texts, reads, strict=True)
    ]


def _read(lines: list[str], us: bool) -> list[Read]:
    """:func:`stamped_lines` line by line, before a convention of the lines together."""
    out: list[Read] = []
    under_stamp = False
    for i, line in enumerate(lines):
        read = transcripts.read_line(lines, i)
        day, rest = read if read is not None else line_stamp(line, us)
        if under_stamp and rest == line and (sender := bare_name(line)) is not None:
            rest = f"{sender}: "
        if line.strip():
            under_stamp = day is not None and not rest.strip()
        out.append((day, name_marks.marked(rest)))
    return out


def _said(line: str, day: dt.date | None, rest: str) -> Read:
    rest = app_lines.without_marks(rest)
    if app_lines.is_placeholder(rest):
        return day, ""
    _, sep, body = rest.partition(": ")  # cheap tests first: most lines are none of these
    if sep and app_lines.is_placeholder(body) and speaker_prefix(rest) is not None:
        return day, rest[: len(rest) - len(body)]
    if rest != line and app_lines.is_notice(rest) and speaker_prefix(rest) is None:
        return day, ""
    return day, rest


def day_after(text: str) -> dt.date | None:
    """The date in effect after ``text``: the stamp of its last line that has one, read as
    :func:`stamped_lines` reads lines (a table's date row and a mail's ``Sent:`` line too),
    from the last line back."""
    lines = text.split("\n")
    us = slashes_month_first(lines)
    for i in range(len(lines) - 1, -1, -1):
        read = transcripts.read_line(lines, i)
        day = read[0] if read is not None else line_stamp(lines[i], us)[0]
        if day is not None:
            return day
    return None
