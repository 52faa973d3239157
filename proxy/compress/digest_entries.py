"""Digest lines (entries) and how units are chosen for them.

An entry is one line ``- [date] Speaker: unit; unit | Speaker: unit``. :func:`select` picks
units greedily by *new* information per token: the IDF weight of their content words, each
word discounted by ``PENALTY`` for every copy the digest already holds, so the digest covers
the whole span rather than its loudest part. :func:`render_units` writes the chosen units as
lines, one per date (split when long), in the span's order.
"""

from __future__ import annotations

import datetime as dt
import heapq
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from proxy.compress.dates import format_date, parse_date
from proxy.compress.summary_format import parse_summary
from proxy.compress.units import Unit, estimate_tokens

PENALTY = 0.3  # weight left to a word for each time the digest already holds it
TOLERANCE = 0.9  # lazy greedy: a re-scored unit within 10 % of the best bound is taken
_DISCOUNT = [PENALTY**k for k in range(5)]  # after four copies a word weighs no less
_UNIT_FIXED = 4  # tokens added to a unit's cost when ranking: tiny fragments rank lower
LINE_CHARS = 1600  # a day's line is closed after this many characters (labels cost tokens too)
SEGMENT_CHARS = 160  # a speaker's run is split past this many characters (``Dana: … | Dana: …``):
# a reader retrieves segments, and a short one fits beside the one before it
TURN_SEGMENT_CHARS = 240  # … but a turn's own units stay together this far
UNDATED_LINE_CHARS = 480  # … an undated line (a tool loop's) sooner: the hierarchy folds whole lines
_MONTH_LABEL = re.compile(r"^[A-Z][a-z]+ \d{4}$")

Measure = Callable[[str], int]


@dataclass(frozen=True, slots=True)
class Entry:
    """One digest line: an optional date label and its turns ``Speaker: unit; unit | …``."""

    label: str | None
    body: str

    @property
    def line(self) -> str:
        return f"- [{self.label}] {self.body}" if self.label else f"- {self.body}"

    def level(self) -> int:
        """0 day, 1 week, 2 month, 3 undated ("earlier") or unknown."""
        if self.label is None or self.label == "earlier":
            return 3
        if self.label.startswith("wk "):
            return 1
        return 2 if _MONTH_LABEL.match(self.label) else 0

    def day(self) -> dt.date | None:
        if self.label is None:
            return None
        if self.label.startswith("wk "):
            return parse_date(self.label[3:])
        if _MONTH_LABEL.match(self.label):
            return parse_date("1 " + self.label)
        return parse_date(self.label)

    def turns(self) -> list[tuple[str, list[str]]]:
        out = []
        for part in self.body.split(" | "):
            who, sep, what = part.partition(": ")
            if not sep:
                who, what = "", part
            out.append((who, [u for u in what.split("; ") if u]))
        return out


def parse_entry(line: str) -> Entry:
    rest = line[2:]
    if rest.startswith("[") and "] " in rest:
        label, body = rest[1:].split("] ", 1)
        return Entry(label, body)
    return Entry(None, rest)


@dataclass(slots=True)
class Previous:
    entries: list[Entry]
    artifacts: list[str]
    count: int


def parse_previous(text: str | None) -> Previous:
    """Entries, artifacts and message count of a previous summary (any earlier format too)."""
    parts = parse_summary(text)
    prev = Previous([], parts.artifacts, parts.count)
    for line in parts.lines:
        if line.startswith("- "):
            prev.entries.append(parse_entry(line))
        elif line.strip():  # a line of another summarizer's format: kept as an undated entry
            prev.entries.append(Entry("earlier", line.strip()))
    return prev


def entries_tokens(entries: list[Entry], measure: Measure = estimate_tokens) -> int:
    return sum(measure(e.line) + 1 for e in entries)  # + its newline


def select(units: list[Unit], allowance: int, weights: dict[str, float], covered: Counter[str]) -> list[Unit]:
    """Greedy (lazy) choice by new information per token; ``covered`` is updated in place."""

    def worth(w: str) -> float:
        return weights.get(w, 0.0) * _DISCOUNT[min(covered.get(w, 0), 4)]

    # each word's worth as covered so far, kept up to date: gains are summed far more often
    value = {w: worth(w) for w in {w for u in units for w in u.words}}

    def cover(words: tuple[str, ...]) -> None:
        covered.update(words)
        value.update((w, worth(w)) for w in words)

    def gain(u: Unit) -> float:
        return u.weight * sum(map(value.__getitem__, u.words))

    chosen = [u for u in units if u.required]
    remaining = allowance - sum(u.cost for u in chosen)
    for u in chosen:
        cover(u.words)
    heap = [(-gain(u) / (u.cost + _UNIT_FIXED), u.pos) for u in units if not u.required]
    heapq.heapify(heap)
    smallest = min((u.cost for u in units), default=1)
    while heap and remaining >= smallest:
        _, pos = heapq.heappop(heap)
        u = units[pos]
        if u.cost > remaining:
            continue
        priority = gain(u) / (u.cost + _UNIT_FIXED)
        if priority <= 0:
            break
        if heap and priority < -heap[0][0] * TOLERANCE:  # stale: others may now be better
            heapq.heappush(heap, (-priority, pos))
            continue
        chosen.append(u)
        remaining -= u.cost
        cover(u.words)
    chosen.sort(key=lambda u: u.pos)
    return chosen


def render_units(chosen: list[Unit]) -> list[Entry]:
    """Lines of chosen units: one per date (split when long), turns joined by `` | ``."""
    entries: list[Entry] = []
    label: str | None = None
    turns: list[tuple[str, list[str]]] = []
    size = 0
    last_turn = -2
    whole: dict[int, int] = {}  # characters of each turn's chosen units
    for u in chosen:
        whole[u.turn] = whole.get(u.turn, 0) + len(u.text) + 2

    def close() -> None:
        if turns:
            body = " | ".join(f"{who}: {'; '.join(texts)}" for who, texts in turns)
            entries.append(Entry(label, body))
            turns.clear()

    for u in chosen:
        lab = format_date(u.day) if u.day else None
        if lab != label or size > (LINE_CHARS if lab else UNDATED_LINE_CHARS):
            close()
            label, size = lab, 0
        if (
            turns
            and turns[-1][0] == u.speaker
            and (
                (u.turn == last_turn and u.turn >= 0 and whole[u.turn] <= TURN_SEGMENT_CHARS)
                or sum(len(t) + 2 for t in turns[-1][1]) + len(u.text) <= SEGMENT_CHARS
            )
        ):
            turns[-1][1].append(u.text)
        else:
            turns.append((u.speaker, [u.text]))
        size += len(u.text) + 2
        last_turn = u.turn
    close()
    return entries
