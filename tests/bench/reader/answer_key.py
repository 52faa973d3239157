"""The answer key as a digest weighting: a diagnostic of how far a better choice of turns goes.

:class:`AnswerKey` wraps the digest's unit maker so that the units of a dialogue's evidence
turns (the turns some question's answer rests on) weigh ``boost`` times more; nothing else in
the digest changes. Used by ``tests/bench/bench_reader_ceiling.py``; it knows the questions,
so it is never a method, only a ceiling.
"""

from __future__ import annotations

from typing import Any

import proxy.compress.digest as digest
import proxy.compress.digest_units as digest_units
from proxy.compress.units import Unit, content_words
from tests.bench.reader.dialogue import Dialogue


class AnswerKey:
    """Wraps the digest's unit maker: units of the current dialogue's evidence turns weigh more."""

    def __init__(self, boost: float) -> None:
        self.boost = boost
        self.evidence: set[str] = set()
        self.by_text: dict[str, str] = {}
        self.spans: list[digest_units.Turn] = []
        self._turns = digest_units.turns
        self._make = digest.make_units

    def use(self, d: Dialogue) -> None:
        self.evidence = {e for q in d.questions for e in q.evidence}
        self.by_text = {" ".join(t.text.split()): t.id for t in d.turns}

    def turns(self, *args: Any, **kwargs: Any) -> list[digest_units.Turn]:
        self.spans = self._turns(*args, **kwargs)
        return self.spans

    def make_units(self, *args: Any, **kwargs: Any) -> tuple[list[Unit], dict[str, float]]:
        units, weights = self._make(*args, **kwargs)
        for u in units:
            if self._source(u) in self.evidence:
                u.weight *= self.boost
        return units, weights

    def _source(self, u: Unit) -> str | None:
        """The dialogue turn a unit came from: its message's span sharing most of its words."""
        spans = [s for s in self.spans if s.mi == u.msg and s.who == u.speaker and s.day == u.day]
        if not spans:
            return None
        best = max(spans, key=lambda s: len(set(content_words(s.text)) & set(u.words)))
        return self.by_text.get(" ".join(best.text.split()))

    def install(self) -> None:
        """Route the digest's unit maker (and the turn reader it uses) through this key."""
        digest_units.turns = self.turns  # type: ignore[assignment]
        digest.make_units = self.make_units  # type: ignore[assignment]

    def uninstall(self) -> None:
        digest_units.turns = self._turns
        digest.make_units = self._make
