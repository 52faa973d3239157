"""Memory metrics on the text a method actually sends: answer recall, evidence recall, attribution.

*Terms*: lower-cased words and numbers, stopwords and contractions removed, possessive ``'s``
and ordinal suffixes stripped (``21st`` → ``21``), number words zero–twenty and tens → digits
(``four`` → ``4``), month abbreviations → month names (``Mar`` → ``march``), then a light
suffix stemmer (``hiking``/``hiked``/``hikes`` → ``hik``).

*IDF*: ``ln(1 + N / df)`` over the conversation's turns (N turns, df = turns holding the term).

*Sent text*: every message's content as sent (system prompt, summary or digest included),
one message after another, split into *units* = non-empty lines.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself yourselves
    oh ok okay yeah yes really like got get gets going go went one's much many well even still
    ever quite bit lot lots thing things something anything way""".split()
)
_NUMBERS = {
    w: str(i)
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
} | {"thirty": "30", "forty": "40", "fifty": "50", "sixty": "60", "seventy": "70", "eighty": "80",
     "ninety": "90", "hundred": "100"}  # fmt: skip
MONTHS = ("january february march april may june july august september october november december").split()
_MONTH_ABBR = {m[:3]: m for m in MONTHS} | {"sept": "september"}
_MONTH_ABBR.pop("may")
_TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)*|\d+(?:st|nd|rd|th)?")
_MONTH_RE = r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH_RE},?\s+(\d{{4}})\b", re.I)
_MONTH_DAY_YEAR = re.compile(rf"\b{_MONTH_RE}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I)
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def stem(word: str) -> str:
    """A light suffix stemmer: enough to match plurals and -ing/-ed forms of the same word."""
    if word.isdigit() or len(word) <= 3:
        return word
    for suffix, repl in (("ies", "y"), ("sses", "ss"), ("ing", ""), ("ed", ""), ("es", "e"), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                break
            word = word[: len(word) - len(suffix)] + repl
            break
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz" and not word[-1].isdigit():
        word = word[:-1]
    return word


def terms(text: str) -> list[str]:
    """The normalised content terms of ``text``, in order (repeats kept)."""
    out: list[str] = []
    for tok in _TOKEN.findall(text.lower().replace("’", "'")):
        if tok.endswith("'s"):
            tok = tok[:-2]
        if "'" in tok or tok in STOPWORDS:
            continue
        if tok[0].isdigit():
            tok = tok.rstrip("stndrh") or tok
        tok = _NUMBERS.get(tok, tok)
        tok = _MONTH_ABBR.get(tok, tok)
        out.append(stem(tok))
    return out


def term_set(text: str) -> set[str]:
    return set(terms(text))


class Idf:
    """IDF weights over a conversation's turns: ``ln(1 + N / df)``; unseen terms get ``ln(1 + N)``."""

    def __init__(self, documents: Iterable[str]) -> None:
        df: Counter[str] = Counter()
        n = 0
        for doc in documents:
            df.update(term_set(doc))
            n += 1
        self.n = max(n, 1)
        self.df = df

    def __call__(self, term: str) -> float:
        return math.log(1 + self.n / max(self.df.get(term, 0), 1))

    def weight(self, words: Iterable[str]) -> float:
        return sum(self(w) for w in set(words))


def answer_recall(answer: str, sent: set[str], full: set[str], idf: Idf) -> float | None:
    """IDF-weighted recall of the answer's terms in ``sent``, over the same in ``full``.

    None when no answer term is in the full conversation (nothing to recall). Capped at 1.
    """
    gold = term_set(answer)
    reachable = gold & full
    if not reachable or idf.weight(reachable) == 0:
        return None
    return min(1.0, idf.weight(gold & sent & full) / idf.weight(reachable))


def evidence_recall(turn_text: str, sent: set[str], idf: Idf) -> float | None:
    """IDF-weighted share of an evidence turn's terms present in ``sent``."""
    words = term_set(turn_text)
    total = idf.weight(words)
    if not total:
        return None
    return idf.weight(words & sent) / total


def parse_dates(text: str) -> list[dt.date]:
    """Dates written as ``14 March 2024``, ``14 Mar 2024``, ``March 14, 2024`` or ``2024-03-14``."""
    found: list[tuple[int, dt.date]] = []

    def month(name: str) -> int:
        name = name.lower().rstrip(".")
        return next(i + 1 for i, m in enumerate(MONTHS) if m.startswith(name[:3]))

    for m in _DAY_MONTH_YEAR.finditer(text):
        found.append((m.start(), _date(int(m.group(3)), month(m.group(2)), int(m.group(1)))))
    for m in _MONTH_DAY_YEAR.finditer(text):
        found.append((m.start(), _date(int(m.group(3)), month(m.group(1)), int(m.group(2)))))
    for m in _ISO.finditer(text):
        found.append((m.start(), _date(int(m.group(1)), int(m.group(2)), int(m.group(3)))))
    return [d for _, d in sorted(found, key=lambda x: x[0]) if d != dt.date.min]


def _date(year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return dt.date.min


@dataclass(frozen=True, slots=True)
class Unit:
    """A stretch of the sent text that can hold a fact: see :func:`units`."""

    text: str
    terms: frozenset[str]
    size: int  # number of terms (repeats counted)
    speaker: str | None  # the ``Name:`` label that opens it, if any
    dates: tuple[dt.date, ...]  # dates written inside it
    in_force: dt.date | None  # the last date written before it in the sent text


def _unit(text: str, speaker: str | None, in_force: dt.date | None) -> Unit:
    words = terms(text)
    return Unit(text, frozenset(words), len(words), speaker, tuple(parse_dates(text)), in_force)


def units(texts: Sequence[str], speakers: Sequence[str]) -> list[Unit]:
    """Split the sent text into units: each line, cut before every speaker label ``Name:``.

    ``[14 Mar 2024] Maya: cello | Tom: beagle Pickle`` gives three units: ``[14 Mar 2024]``
    (no speaker), ``Maya: cello |`` and ``Tom: beagle Pickle``; both labelled units have
    14 March 2024 in force. A verbatim message is its header line (if any) and one unit.
    """
    label = re.compile(r"\b(" + "|".join(re.escape(s) for s in speakers) + r")\s*:") if speakers else None
    out: list[Unit] = []
    current: dt.date | None = None
    for text in texts:
        for line in text.splitlines():
            if not line.strip():
                continue
            cuts = [(m.start(), m.group(1)) for m in label.finditer(line)] if label else []
            pieces: list[tuple[str, str | None]] = []
            if not cuts or cuts[0][0] > 0:
                pieces.append((line[: cuts[0][0]] if cuts else line, None))
            for k, (pos, who) in enumerate(cuts):
                pieces.append((line[pos : cuts[k + 1][0] if k + 1 < len(cuts) else len(line)], who))
            for piece, who in pieces:
                if not piece.strip():
                    continue
                unit = _unit(piece, who, current)
                out.append(unit)
                if unit.dates:
                    current = unit.dates[-1]
    return out


@dataclass(frozen=True, slots=True)
class FactRef:
    speaker: str
    date: dt.date  # the session date of the turn that states it
    keys: frozenset[str]  # normalised fact words: a unit holding all of them holds the fact


MAX_UNIT_TERMS = 60  # longer is not an entry about one thing (and a bag of words is not memory)


def holds(unit: Unit, fact: FactRef, max_terms: int = MAX_UNIT_TERMS) -> bool:
    """The unit holds every key word of the fact and is at most ``max_terms`` terms long."""
    return fact.keys <= unit.terms and unit.size <= max_terms


def attributed(unit: Unit, fact: FactRef) -> bool:
    """The unit is opened by the speaker's label and the fact's session date goes with it:
    the date in force before it, or a date written inside it."""
    return unit.speaker == fact.speaker and (unit.in_force == fact.date or fact.date in unit.dates)


def attribution(
    sent_units: list[Unit], facts: Sequence[FactRef], max_terms: int = MAX_UNIT_TERMS
) -> tuple[int, int]:
    """(facts held by some unit, facts held by some unit that also attributes them)."""
    kept = ok = 0
    for fact in facts:
        holding = [u for u in sent_units if holds(u, fact, max_terms)]
        if holding:
            kept += 1
            ok += any(attributed(u, fact) for u in holding)
    return kept, ok


def message_texts(body: dict[str, Any]) -> list[str]:
    """Every message's text as it would be sent (string content or the text parts of a list)."""
    out: list[str] = []
    for msg in body.get("messages", []):
        content = msg.get("content")
        if isinstance(content, str):
            out.append(content)
        elif isinstance(content, list):
            out += [
                p.get("text", "") for p in content if isinstance(p, dict) and isinstance(p.get("text"), str)
            ]
    return out
