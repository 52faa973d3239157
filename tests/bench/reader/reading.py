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

*Reader recall* (:func:`reader_recall`): every unit joined with the whole unit before it and
prefixed with its date in force; units ranked by BM25 against the question; the best whole units
read in rank order while they fit ``READ_CHARS`` characters (the first one cut to it only when it
alone is longer); the IDF-weighted recall of the gold answer's content words in that text,
divided by the same on the uncompressed conversation (capped at 1; a question whose uncompressed
reading holds none of its answer's words is set aside and counted).

*Attributed evidence* (:func:`attribution`): for each evidence turn not kept verbatim, the digest
segment holding most of its content words (a count); content recall (the share of its words in
that segment) × speaker right × day right (same day 1, same month 0.5). Right speaker and right
day are the shares of those turns whose segment names the turn's speaker and carries its day.

*Content words* (:func:`words`): lower-cased words and numbers, stopwords, contractions and the
possessive ``'s`` removed; nothing else (no stemming, no number words).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from tests.bench.memconv.metrics import STOPWORDS
from tests.bench.reader.dates import Day, day_score, leading_date
from tests.bench.reader.dialogue import Dialogue, Question
from tests.bench.reader.tool_lines import export_lines, tool_line

READ_CHARS = 700
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
        return sum(self(w) for w in set(ws))


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


# -- BM25 ----------------------------------------------------------------------------------------
class BM25:
    """Okapi BM25 (k1 1.2, b 0.75) over documents given as term lists."""

    def __init__(self, docs: Sequence[list[str]], k1: float = 1.2, b: float = 0.75) -> None:
        self.docs = [Counter(d) for d in docs]
        self.lens = [len(d) for d in docs]
        self.avg = (sum(self.lens) / len(self.lens)) if self.lens else 1.0
        df: Counter[str] = Counter()
        for d in self.docs:
            df.update(d.keys())
        n = len(docs)
        self.idf = {t: math.log((n - f + 0.5) / (f + 0.5) + 1) for t, f in df.items()}
        self.k1, self.b = k1, b

    def scores(self, query: Iterable[str]) -> list[float]:
        q = [t for t in set(query) if t in self.idf]
        out: list[float] = []
        for doc, length in zip(self.docs, self.lens, strict=True):
            s = 0.0
            norm = self.k1 * (1 - self.b + self.b * length / max(self.avg, 1e-9))
            for t in q:
                f = doc.get(t, 0)
                if f:
                    s += self.idf[t] * f * (self.k1 + 1) / (f + norm)
            out.append(s)
        return out


def unit_texts(units: Sequence[ReadUnit]) -> list[str]:
    """Each unit joined with the whole unit before it, prefixed with its date in force."""
    out: list[str] = []
    for i, u in enumerate(units):
        prefix = f"[{u.day}] " if u.day else ""
        before = units[i - 1].text + "\n" if i else ""
        out.append(prefix + before + u.text)
    return out


class Library:
    """One request's units, indexed for questions."""

    def __init__(self, units: Sequence[ReadUnit]) -> None:
        self.units = list(units)
        self.texts = unit_texts(self.units)
        self.bm25 = BM25([words(t) for t in self.texts])

    def read(self, question: str, limit: int = READ_CHARS) -> str:
        """The best whole units for the question, in rank order, while they fit ``limit``
        characters (joined by newlines); the first one cut to ``limit`` only when it alone is
        longer."""
        scores = self.bm25.scores(words(question))
        order = sorted((i for i, s in enumerate(scores) if s > 0), key=lambda i: (-scores[i], i))
        out: list[str] = []
        used = 0
        for i in order:
            text = self.texts[i]
            need = len(text) + (1 if out else 0)
            if used + need > limit:
                if not out:
                    out.append(text[:limit])
                break
            out.append(text)
            used += need
        return "\n".join(out)


def recall(answer: str, text: str, idf: Idf) -> float | None:
    gold = word_set(answer)
    total = idf.weight(gold)
    if not total:
        return None
    return idf.weight(gold & word_set(text)) / total


def dialogue_idf(d: Dialogue) -> Idf:
    return Idf(t.text for t in d.turns)


@dataclass(slots=True)
class RecallScore:
    values: list[float] = field(default_factory=list)
    by_category: dict[str, list[float]] = field(default_factory=dict)
    skipped: int = 0  # questions whose answer the uncompressed reading does not hold either
    got: float = 0.0  # sums over every question (skipped ones too): the pooled ratio
    base: float = 0.0
    misses: list[tuple[float, str, str, str, str]] = field(default_factory=list)  # see reader_recall

    @property
    def pooled(self) -> float:
        """Σ recall in the compressed reading / Σ in the uncompressed one (no per-question cap)."""
        return self.got / self.base if self.base else float("nan")

    def add(self, category: str, value: float) -> None:
        self.values.append(value)
        self.by_category.setdefault(category, []).append(value)


def reader_recall(
    questions: Sequence[Question],
    sent: Library,
    full: Library,
    idf: Idf,
    into: RecallScore,
    keep_misses: bool = False,
) -> None:
    """Adds each question's score to ``into``; ``keep_misses``: also (score, question, answer,
    text read in the compressed request, text read in the uncompressed one) when below 1."""
    for q in questions:
        full_text, sent_text = full.read(q.question), sent.read(q.question)
        base = recall(q.answer, full_text, idf)
        got = recall(q.answer, sent_text, idf) or 0.0
        into.got += got
        into.base += base or 0.0
        if not base:
            into.skipped += 1
            continue
        value = min(1.0, got / base)
        into.add(q.category, value)
        if keep_misses and value < 1.0:
            into.misses.append((value, q.question, q.answer, sent_text, full_text))


# -- attributed evidence -------------------------------------------------------------------------
@dataclass(slots=True)
class Attribution:
    evidence: int = 0  # evidence turns looked at
    kept: int = 0  # … kept verbatim
    scores: list[float] = field(default_factory=list)  # per turn not kept: content × speaker × day
    speaker: list[bool] = field(default_factory=list)  # per turn not kept: its segment names its speaker
    day: list[bool] = field(default_factory=list)  # … carries its day (same day)
    content: list[float] = field(default_factory=list)  # … share of its words in its segment
    matched: int = 0  # … whose segment holds at least ``CLEAR`` of its words
    speaker_right: int = 0  # … of which the segment names the right speaker
    day_right: int = 0  # … of which the segment's date in force is the turn's day
    # every digest segment, read back to the turn it came from (see segment_attribution)
    segments: int = 0  # segments with a clear source turn
    unclear: int = 0  # segments too short or too mixed to name one source turn
    segment_speaker: int = 0
    segment_day: int = 0


CLEAR = 0.5  # a segment holding this share of a turn's words stands for that turn
MIN_SEGMENT_WORDS = 3


def _same_speaker(label: str | None, speaker: str) -> bool:
    if not label:
        return False
    a, b = label.strip().casefold(), speaker.casefold()
    # a ``name`` field is ``[A-Za-z0-9_-]``: ``García`` is sent as ``Garc_a``, read as ``Garc a``
    return a == b or re.sub(r"[^a-z0-9-]+", "_", a) == re.sub(r"[^a-z0-9-]+", "_", b)


def attribution(d: Dialogue, units: Sequence[ReadUnit], idf: Idf, into: Attribution) -> None:
    """Attributed evidence of one request (``idf`` is used only by :func:`segment_attribution`).

    A turn is kept verbatim when a kept unit's content (after its stamp and label), or its
    first line, is the turn's text; the segment holding most of a turn's content words is the one that holds the
    most of them (a count; the earliest on a tie)."""
    kept = {u.content for u in units if not u.digest}
    kept |= {c.split("\n", 1)[0] for c in kept}  # a turn kept whole, a photo's caption on the line below
    segments = [u for u in units if u.digest]
    seg_words = [word_set(u.content) for u in segments]
    by_id = d.by_id
    for e in sorted({e for q in d.questions for e in q.evidence}):
        turn = by_id.get(e)
        if turn is None:
            continue
        ws = word_set(turn.text)
        if not ws:
            continue
        into.evidence += 1
        if turn.text.strip() in kept:
            into.kept += 1
            continue
        best, best_n = -1, 0
        for i, sw in enumerate(seg_words):
            n = len(ws & sw)
            if n > best_n:
                best, best_n = i, n
        if best < 0:
            into.scores.append(0.0)
            into.content.append(0.0)
            into.speaker.append(False)
            into.day.append(False)
            continue
        seg = segments[best]
        content = best_n / len(ws)
        speaker = _same_speaker(seg.speaker, turn.speaker)
        day = day_score(seg.day, turn.when.date())
        if content >= CLEAR:
            into.matched += 1
            into.speaker_right += speaker
            into.day_right += day == 1.0
        into.content.append(content)
        into.speaker.append(speaker)
        into.day.append(day == 1.0)
        into.scores.append(content * speaker * day)
    segment_attribution(d, segments, idf, into)


def segment_attribution(d: Dialogue, segments: Sequence[ReadUnit], idf: Idf, into: Attribution) -> None:
    """Each digest segment against the turn it came from (the turn holding most of its weighted
    words, at least ``CLEAR`` of them; ``MIN_SEGMENT_WORDS`` words or more): does it name that
    turn's speaker, and carry that turn's day? (A diagnostic beside the issue's measures.)"""
    index: dict[str, list[int]] = {}
    for i, t in enumerate(d.turns):
        for w in word_set(t.text):
            index.setdefault(w, []).append(i)
    for seg in segments:
        ws = word_set(seg.content)
        total = idf.weight(ws)
        if len(ws) < MIN_SEGMENT_WORDS or not total:
            into.unclear += 1
            continue
        weight: dict[int, float] = {}
        for w in ws:
            for i in index.get(w, ()):
                weight[i] = weight.get(i, 0.0) + idf(w)
        if not weight:
            into.unclear += 1
            continue
        best, best_w = min(weight.items(), key=lambda kv: (-kv[1], kv[0]))
        if best_w / total < CLEAR:
            into.unclear += 1
            continue
        turn = d.turns[best]
        into.segments += 1
        into.segment_speaker += _same_speaker(seg.speaker, turn.speaker)
        into.segment_day += day_score(seg.day, turn.when.date()) == 1.0
