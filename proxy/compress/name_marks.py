"""A speaker named without a colon, read as ``Name: text``.

Transcripts pasted from other tools mark the speaker other ways than ``Name: text``:

- a name in brackets: ``[Caroline] text``, also after a time of day (``[13:56] [Caroline] text``);
- a chat client's prompt: ``Caroline> text``;
- a dash after the name: ``Caroline — text``, ``Caroline – text``, ``Caroline - text``;
- a screenplay's or a hearing's name in capitals alone on its line, the text on the lines
  below: ``CAROLINE``.

The first two are read wherever a line opens with them: a name as :mod:`speakers` reads one
(one to three capitalised words, particles between them) without digits (``[Errno 2]`` is no
speaker), not a note's label (``[Note]``), not a Markdown link (``[Docs](…)``). A dash after
a word and a word in capitals alone on a line are common in prose and headings, so those two
are read only as a convention of the lines read together: three lines or more, by names that
come back, making a third of the lines that are not blank or only a date.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Sequence

from proxy.compress.dates import TIME_PREFIX
from proxy.compress.speakers import NAME, speaker_prefix

Read = tuple[dt.date | None, str]

_BRACKET = re.compile(r"\[([^\W\d_][^\]\d\n]{0,40})\](?:[ \t]+|$)")
_PROMPT = re.compile(rf"({NAME})>(?:[ \t]+|$)")
_DASH = re.compile(rf"[ \t]*({NAME})[ \t]+[—–-][ \t]+(?=\S)")
_CAPS_WORD = r"[^\W\d_a-z](?:[^\W\d_a-z]|['.’-])*"  # ``CAROLINE``, ``O'BRIEN``, ``JEAN-LUC``
_CAPS = re.compile(rf"[ \t]*({_CAPS_WORD}(?: {_CAPS_WORD}){{0,2}})[ \t]*")
MIN_LINES = 3  # lines a dash or capitals convention needs at least
SHARE = 3  # … and a third of the lines (not blank, not only a date)


def _named(name: str) -> bool:
    return speaker_prefix(f"{name}: .") == name


def marked(rest: str) -> str:
    """``Caroline: text`` for ``[Caroline] text`` or ``Caroline> text`` (after a time of day
    too: ``[13:56] [Caroline] text``); else ``rest``."""
    head = rest[:1]
    if not (head.isalpha() or head.isdigit() or head == "["):
        return rest
    if head.isdigit() or (head == "[" and rest[1:2].isdigit()):
        clock = TIME_PREFIX.match(rest)
        if clock is None or clock.end() == len(rest):
            return rest
        said = marked(rest[clock.end() :])
        return said if said != rest[clock.end() :] else rest
    if head == "[":
        m = _BRACKET.match(rest)
    elif ">" in rest[1:64]:
        m = _PROMPT.match(rest)
    else:
        return rest
    if m is None or not _named(name := m.group(1).strip()):
        return rest
    return f"{name}: {rest[m.end() :]}"


def by_convention(messages: Sequence[list[Read]]) -> list[list[Read]]:
    """``messages``' lines (each a date and the text after any stamp), the dash or capitals
    convention read as ``Name: text`` where the lines together follow it (see the module)."""
    dashes: list[tuple[int, int, str, int]] = []  # message, line, name, where the text starts
    caps: list[tuple[int, int, str]] = []
    counted = 0
    for mi, reads in enumerate(messages):
        for li, (_day, rest) in enumerate(reads):
            if not rest.strip():
                continue
            counted += 1
            if (m := _DASH.match(rest)) is not None and _named(m.group(1)):
                dashes.append((mi, li, m.group(1), m.end()))
            elif (
                rest.isupper() and (c := _CAPS.fullmatch(rest.removesuffix(": "))) and _text_below(reads, li)
            ):
                if _named(c.group(1)):  # (``PRIYA: `` too: a name alone under a date line reads so)
                    caps.append((mi, li, c.group(1)))
    use_dashes = _convention([n for _, _, n, _ in dashes], counted)
    use_caps = _convention([n for _, _, n in caps], counted)
    if not use_dashes and not use_caps:
        return list(messages)
    out = [list(reads) for reads in messages]
    for mi, li, name, end in dashes if use_dashes else ():
        day, rest = out[mi][li]
        out[mi][li] = (day, f"{name}: {rest[end:]}")
    for mi, li, name in caps if use_caps else ():
        out[mi][li] = (out[mi][li][0], f"{name}: ")
    return out


def _text_below(reads: list[Read], li: int) -> bool:
    """Whether the line under line ``li`` is text (not blank, not another name in capitals)."""
    if li + 1 >= len(reads):
        return False
    below = reads[li + 1][1].strip()
    return bool(below) and not below.isupper()


def _convention(names: list[str], lines: int) -> bool:
    """Whether lines named ``names`` (in order) make a convention of ``lines`` lines."""
    if len(names) < MIN_LINES or len(names) * SHARE < lines:
        return False
    counts = Counter(names)
    return max(counts.values()) >= 2 and len(counts) * 2 <= len(names) + 1
