"""Reader recall: units ranked by BM25 against a question, read while they fit.

*Reader recall* (:func:`reader_recall`): every unit joined with the whole unit before it and
prefixed with its date in force; units ranked by BM25 against the question; the best whole units
read in rank order while they fit ``READ_CHARS`` characters (the first one cut to it only when it
alone is longer); the IDF-weighted recall of the gold answer's content words in that text,
divided by the same on the uncompressed conversation (capped at 1; a question whose uncompressed
reading holds none of its answer's words is set aside and counted).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from tests.bench.reader.dialogue import Dialogue, Question
from tests.bench.reader.reading import Idf, ReadUnit, word_set, words

READ_CHARS = 700


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
        q = sorted(t for t in set(query) if t in self.idf)  # a fixed order: the same float sums every run
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
