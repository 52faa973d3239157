"""Which turns get asked about: surface features of a dialogue's turns, how often each marks an
evidence turn, and how well a model of them picks evidence turns (a diagnostic for the digest's
choice of turns; see ``tests/bench/bench_reader_turns.py``).

A logistic model (plain gradient descent, no dependencies) is trained on all conversations but
one and ranks the turns of the one left out; :func:`held_out_coverage` gives the share of its
evidence turns in its best-ranked ``share`` of the turns.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tests.bench.reader.dialogue import Dialogue, Turn

_FIRST = re.compile(r"\b(?:I|we|my|our)\b")
_EVENT = re.compile(
    r"\b\w{3,}ed\b|\b(?:went|took|got|made|saw|bought|ran|began|started|met|gave|found|joined)\b"
)
_WHEN = re.compile(
    r"\b(?:yesterday|last (?:week|year|month|night|weekend|friday|saturday|sunday|monday|tuesday|wednesday"
    r"|thursday)|ago|next (?:week|month)|recently|just)\b",
    re.I,
)
_PHOTO = re.compile(r"\b(?:pic|photo|picture|look at this|take a look|check (?:it|this) out|here's)\b", re.I)
_REACTION = re.compile(r"(?:thanks|thank you|wow|aw|that's|that sounds|congrats)", re.I)
_LISTENER = re.compile(r"\byou(?:r)?\b", re.I)
_SELF = re.compile(r"\b(?:I|my|we|our|me)\b")
_NUMBER = re.compile(r"\d|\b(?:two|three|four|five|six|ten)\b")


@dataclass(frozen=True, slots=True)
class Place:
    """A turn with its index in its session and the session's length."""

    turn: Turn
    index: int
    length: int

    @property
    def text(self) -> str:
        return self.turn.text


def _words(p: Place) -> int:
    return len(p.text.split())


FEATURES: dict[str, Callable[[Place], bool]] = {
    "a session's first 2 turns": lambda p: p.index < 2,
    "a session's first 4 turns": lambda p: p.index < 4,
    "a session's last 2 turns": lambda p: p.index >= p.length - 2,
    "shares a photo": lambda p: _PHOTO.search(p.text) is not None,
    "a question alone": lambda p: p.text.rstrip().endswith("?") and "." not in p.text,
    "asks something": lambda p: "?" in p.text,
    "a date word": lambda p: _WHEN.search(p.text) is not None,
    "a first-person event": lambda p: bool(_FIRST.search(p.text) and _EVENT.search(p.text)),
    "a name inside": lambda p: re.search(r"(?<=[a-z,] )[A-Z][a-z]+", p.text) is not None,
    "opens with thanks or a reaction": lambda p: _REACTION.match(p.text) is not None,
    "under 12 words": lambda p: _words(p) < 12,
    "12-24 words": lambda p: 12 <= _words(p) < 25,
    "25-39 words": lambda p: 25 <= _words(p) < 40,
    "40 words or more": lambda p: _words(p) >= 40,
    "about the listener only": lambda p: bool(_LISTENER.search(p.text) and not _SELF.search(p.text)),
    "a number": lambda p: _NUMBER.search(p.text) is not None,
    "a quote": lambda p: '"' in p.text or "\u201c" in p.text,
}


def places(d: Dialogue) -> list[Place]:
    sessions: dict[int, list[Turn]] = {}
    for t in d.turns:
        sessions.setdefault(t.session, []).append(t)
    return [Place(t, i, len(ts)) for ts in sessions.values() for i, t in enumerate(ts)]


def evidence(d: Dialogue) -> set[str]:
    return {e for q in d.questions for e in q.evidence}


def rates(dialogues: Sequence[Dialogue]) -> list[tuple[str, int, float]]:
    """(feature, turns with it, share of those that are evidence turns); first row: all turns."""
    rows: dict[str, list[int]] = {"all turns": [0, 0], **{k: [0, 0] for k in FEATURES}}
    for d in dialogues:
        ev = evidence(d)
        for p in places(d):
            hit = p.turn.id in ev
            for name, f in (("all turns", None), *FEATURES.items()):
                if f is None or f(p):
                    rows[name][0] += 1
                    rows[name][1] += hit
    return [(k, n, e / n if n else float("nan")) for k, (n, e) in rows.items()]


def vector(p: Place) -> list[float]:
    return [1.0] + [float(f(p)) for f in FEATURES.values()]


def fit(xs: Sequence[list[float]], ys: Sequence[float], steps: int = 400, rate: float = 1.0) -> list[float]:
    """Logistic regression by gradient descent (a little L2)."""
    w = [0.0] * len(xs[0])
    for _ in range(steps):
        grad = [0.0] * len(w)
        for x, y in zip(xs, ys, strict=True):
            z = sum(a * b for a, b in zip(w, x, strict=True))
            err = 1 / (1 + math.exp(-max(-30.0, min(30.0, z)))) - y
            for j, v in enumerate(x):
                if v:
                    grad[j] += err * v
        w = [a - rate * g / len(xs) - 0.001 * a for a, g in zip(w, grad, strict=True)]
    return w


def held_out_coverage(dialogues: Sequence[Dialogue], share: float) -> list[float]:
    """Per dialogue: the share of its evidence turns among the ``share`` of its turns a model
    trained on the other dialogues ranks highest."""
    data = [[(vector(p), float(p.turn.id in evidence(d))) for p in places(d)] for d in dialogues]
    out: list[float] = []
    for i, rows in enumerate(data):
        train = [r for j, other in enumerate(data) if j != i for r in other]
        w = fit([x for x, _ in train], [y for _, y in train])
        ranked = sorted(rows, key=lambda r: -sum(a * b for a, b in zip(w, r[0], strict=True)))
        top = ranked[: int(share * len(rows))]
        total = sum(y for _, y in rows)
        out.append(sum(y for _, y in top) / total if total else float("nan"))
    return out
