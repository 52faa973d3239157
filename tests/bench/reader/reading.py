"""Reading a compressed conversation the way a model reads it, as the reader measures define it.

*Reading units* (:func:`reading_units`): every kept turn (in a kept message, a line that
opens with a stamp or a ``Name:`` label starts one, and so does the message's first line; other
lines continue it; a date header line only sets the date), and every speaker's segment of a digest line (``- [8 May 2023]
Caroline: … | Melanie: …`` gives two, cut at ``|``). Each unit has the *date in force*: the last
date header before it — a line that opens with a date or stamp (``1:56 pm on 8 May, 2023``,
``[2023-05-08 13:56] Caroline: …``, ``Session 3 · Friday, 9 June 2023``), a kept line or a digest
line — or the ``[…]`` label opening a digest line. A date anywhere else is content: after a
segment's ``Name:`` (``user: 7:55 pm 9 June 2023 Caroline …``), after ``|``, or a ``[…]`` in the
middle of a line. A kept turn's speaker is its ``Name:`` label, else the message's ``name``
field, else its role (what a reader sees); a digest segment's speaker is its own ``Name:`` label
only (none: no speaker).

*Content words* (:func:`words`): lower-cased words and numbers, stopwords, contractions and the
possessive ``'s`` removed; nothing else (no stemming, no number words).

Ranking and reading the units: :mod:`tests.bench.reader.retrieval`; attributed evidence:
:mod:`tests.bench.reader.attribution`.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tests.bench.memconv.metrics import STOPWORDS
from tests.bench.reader.dates import Day, leading_date
from tests.bench.reader.tool_lines import export_lines, tool_line

SUMMARY_MARK = "[ctxproxy: summary"
# a transcript's oldest lines condensed inside its own message, up to the line that closes them
_INLINE_OPEN = re.compile(r"^\[ctxproxy: the \d+ oldest lines of this conversation, condensed")
_INLINE_CLOSE = re.compile(r"^\[ctxproxy: the \d+ newest lines follow verbatim\]")
_SPEAKER = re.compile(r"^([^\W\d_][\w'.-]*(?: [^\W\d_][\w'.-]*){0,3})[:：]\s*")
# an IRC log's ``[13:56] <Caroline> text``: the nick is the speaker's label
_NICK = re.compile(r"^(?:\[?\d{1,2}:\d{2}(?::\d{2})?\]?\s*)?<[@+]?([^\W\d_][\w'.-]*)>\s*")
# a name and its stamp alone on a line, the turn's text on the lines after it
# (``Caroline, [08.05.23 13:56]``, ``### Caroline — 8 May 2023``)
_NAME_HEAD = re.compile(
    r"^(?:#{1,6}\s++)?\**+([^\W\d_][\w'.-]*+(?: [^\W\d_][\w'.-]*+){0,3})\**+(?:,|\s++[—–-])\s*+(.+)$"
)
_COUNT = re.compile(r"^\(\d+ messages? compacted\)$")
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)*")


def words(text: str) -> list[str]:
    """The content words of ``text``, in order (repeats kept)."""
    out: list[str] = []
    for tok in _WORD.findall(text.lower().replace("\u2019", "'")):
        if tok.endswith("'s"):
            tok = tok[:-2]
        if "'" in tok or tok in STOPWORDS:
            continue
        out.append(tok)
    return out


def word_set(text: str) -> set[str]:
    return set(words(text))


class Idf:
    """IDF weights over a conversation's turns: ``ln(1 + N / df)``; unseen words ``ln(1 + N)``."""

    def __init__(self, documents: Iterable[str]) -> None:
        df: Counter[str] = Counter()
        n = 0
        for doc in documents:
            df.update(word_set(doc))
            n += 1
        self.n = max(n, 1)
        self.df = df

    def __call__(self, word: str) -> float:
        return math.log(1 + self.n / max(self.df.get(word, 0), 1))

    def weight(self, ws: Iterable[str]) -> float:
        # fsum: the same total whatever order the set gives (it varies with the hash seed)
        return math.fsum(self(w) for w in set(ws))


@dataclass(frozen=True, slots=True)
class ReadUnit:
    text: str  # as sent, the speaker label (and a kept line's stamp) included
    speaker: str | None
    day: Day | None  # the date in force
    digest: bool  # a digest segment (else a kept turn)
    content: str = ""  # the text after its stamp and speaker label


def content_text(content: Any) -> str:
    """A message's (or block's) content as text: a string as it is, a list by its text parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(
            str(p.get("text", "")) for p in content if isinstance(p, dict) and isinstance(p.get("text"), str)
        )
    return ""


def message_text(msg: dict[str, Any]) -> str:
    return content_text(msg.get("content"))


def _has_words(text: str) -> bool:
    return bool(words(text))


class _Reader:
    """Walks the sent text in order, carrying the date in force."""

    def __init__(self) -> None:
        self.day: Day | None = None
        self.units: list[ReadUnit] = []
        self._open = False  # a kept turn is open: an unlabelled line continues it
        self._head: tuple[str, str] | None = None  # a ``Name, [stamp]`` line and its name: the next turn's

    def new_message(self) -> None:
        self._open = False

    def kept_line(self, line: str, fallback: str | None) -> None:
        """A line of a kept message: it starts a turn when it opens the message (after a header)
        or opens with a stamp or a ``Name:`` label; else it continues the turn before. Other
        tools' lines are read as :func:`tool_line` says."""
        tool = tool_line(line)
        if tool is not None:
            if tool.day is not None:
                self.day = tool.day
            if tool.head is not None:
                self._head = (line.strip(), tool.head)
            if tool.line is None:
                self._open = False
                return
            line = tool.line
        head = _NAME_HEAD.match(line.strip())
        stamp = leading_date(head.group(2)) if head else None
        if head and stamp and not _has_words(head.group(2)[stamp[1] :]):
            self.day, self._head, self._open = stamp[0], (line.strip(), head.group(1)), False
            return
        found = leading_date(line)
        rest = line
        if found:
            self.day, end = found
            rest = line[end:]
        if not _has_words(rest):
            self._open = False  # a date header line: the next line starts a turn
            return
        m = _SPEAKER.match(rest) or _NICK.match(rest)
        last = self.units[-1] if self.units else None
        if self._open and not found and not m and last is not None and not last.digest:
            self.units[-1] = ReadUnit(
                f"{last.text}\n{line.strip()}",
                last.speaker,
                last.day,
                False,
                f"{last.content}\n{rest.strip()}",
            )
            return
        content = rest[m.end() :] if m else rest
        text, speaker = line.strip(), m.group(1) if m else fallback
        if self._head is not None and m is None:
            text, speaker = f"{self._head[0]}\n{text}", self._head[1]  # the name line above the turn
        self.units.append(ReadUnit(text, speaker, self.day, False, content.strip()))
        self._open, self._head = True, None

    def digest_line(self, line: str) -> None:
        line = line.strip()
        if not line or line.startswith("[ctxproxy:") or line.startswith("Artifacts:") or _COUNT.match(line):
            return
        line = re.sub(r"^[-*•]\s+", "", line)
        label = re.match(r"^\[([^\]]+)\]\s*", line)
        if label:
            found = leading_date(label.group(1))
            if found and not _has_words(label.group(1)[found[1] :]):
                self.day = found[0]  # a dated line label
                line = line[label.end() :]
        else:
            found = leading_date(line)
            if found:
                self.day, end = found  # a line that opens with a date: a header
                line = line[end:]
        for piece in re.split(r"\s*\|\s*", line):
            m = _SPEAKER.match(piece)
            content = piece[m.end() :] if m else piece
            if _has_words(content):
                self.units.append(
                    ReadUnit(piece.strip(), m.group(1) if m else None, self.day, True, content.strip())
                )


def reading_units(body: dict[str, Any], system: str | None = None, skip_last: bool = True) -> list[ReadUnit]:
    """The reading units of a request, in order (the system prompt ``system`` and the final
    question left out)."""
    msgs = body.get("messages", [])
    if skip_last and msgs:
        # the final question; a question pasted after the conversation, in one message, is
        # the text after its last blank line
        text = message_text(msgs[-1])
        cut = text.rfind("\n\n")
        msgs = msgs[:-1] + ([{**msgs[-1], "content": text[:cut]}] if cut > 0 else [])
    reader = _Reader()
    for msg in msgs:
        text = export_lines(message_text(msg))
        if msg.get("role") in ("system", "developer") and system and text.startswith(system):
            text = text[len(system) :]
        fallback = msg.get("name") or msg.get("role")
        in_digest = False
        reader.new_message()
        for line in text.splitlines():
            if line.startswith(SUMMARY_MARK) or _INLINE_OPEN.match(line):
                in_digest = True
            elif _INLINE_CLOSE.match(line):
                in_digest = False
                reader.new_message()
                continue
            if in_digest:
                reader.digest_line(line)
            elif line.strip():
                reader.kept_line(line, str(fallback) if fallback else None)
    return reader.units
