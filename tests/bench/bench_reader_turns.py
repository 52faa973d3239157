"""Which turns the digest gives a unit, against which turns get asked about (a diagnostic).

For the real conversations (``shared/dev-data/locomo-dev``): how often a turn with a given
surface feature is an evidence turn (the turn a question's answer rests on); the share of the
turns the digest gives at least one unit, and the share of the evidence turns among them; and
how many evidence turns a logistic model of the features would pick with the same share of the
turns (trained on the other conversations). The generated sets' feature rates are printed too.

Run (from any directory)::

    .venv/bin/python tests/bench/bench_reader_turns.py [--rendering named] [--tree PATH]
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
from typing import Any

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

from _tree import arg, bootstrap  # this script's folder is on sys.path

bootstrap(sys.argv[1:])

import proxy.compress.digest as digest  # noqa: E402
import proxy.compress.digest_units as digest_units  # noqa: E402
from proxy.compress import TokenCounter  # noqa: E402
from proxy.compress.units import Unit, content_words  # noqa: E402
from tests.bench.reader import turn_features as tf  # noqa: E402
from tests.bench.reader.compaction import API, MODEL, compress  # noqa: E402
from tests.bench.reader.devdata import locomo_path  # noqa: E402
from tests.bench.reader.dialogue import Dialogue, generated, load_locomo  # noqa: E402
from tests.bench.reader.render import RENDER  # noqa: E402


class Tap:
    """Records the digest's turns and its last choice of units."""

    def __init__(self) -> None:
        self.spans: list[digest_units.Turn] = []
        self.chosen: list[Unit] = []
        self._turns, self._select = digest_units.turns, digest.select

    def turns(self, *args: Any, **kwargs: Any) -> list[digest_units.Turn]:
        self.spans = self._turns(*args, **kwargs)
        return self.spans

    def select(self, *args: Any, **kwargs: Any) -> list[Unit]:
        self.chosen = self._select(*args, **kwargs)
        return self.chosen

    def install(self) -> None:
        digest_units.turns = self.turns  # type: ignore[assignment]
        digest.select = self.select  # type: ignore[assignment]

    def covered(self, d: Dialogue) -> set[str]:
        """Ids of the dialogue turns with a chosen unit (a unit's turn: the span of its message,
        speaker and day sharing most of its words)."""
        by_text = {" ".join(t.text.split()): t.id for t in d.turns}
        out: set[str] = set()
        for u in self.chosen:
            spans = [s for s in self.spans if s.mi == u.msg and s.who == u.speaker and s.day == u.day]
            if spans:
                best = max(spans, key=lambda s: len(set(content_words(s.text)) & set(u.words)))
                if (tid := by_text.get(" ".join(best.text.split()))) is not None:
                    out.add(tid)
        return out


def print_rates(name: str, dialogues: list[Dialogue]) -> None:
    print(f"\n{name}: how often a turn with the feature is an evidence turn\n")
    print("| feature | turns | evidence share |\n|---|---|---|")
    for feature, n, share in tf.rates(dialogues):
        print(f"| {feature} | {n:,} | {share:.3f} |")


async def main(argv: list[str]) -> int:
    rendering = arg(argv, "--rendering", "named")
    print_rates("generated friends (8 conversations)", [generated("friends", s) for s in range(1, 9)])
    path = locomo_path()
    if path is None:
        print("\nlocomo-dev: absent (no shared/dev-data/locomo-dev beside the checkout): not measured")
        return 0
    convs = load_locomo(path)
    print_rates("locomo-dev", convs)
    tap = Tap()
    tap.install()
    counter = TokenCounter()
    await counter.warm()
    turn_share: list[float] = []
    ev_share: list[float] = []
    for d in convs:
        body = RENDER[rendering](d, MODEL)
        await compress(body, "aggressive", counter, window=counter.count_request(API, body, MODEL))
        got, ev = tap.covered(d), tf.evidence(d)
        turn_share.append(len(got) / len(d.turns))
        ev_share.append(len(got & ev) / len(ev))
    share = statistics.fmean(turn_share)
    model = tf.held_out_coverage(convs, share)
    print(f"\nlocomo-dev / {rendering}, aggressive, window = the conversation:")
    print(
        f"- turns given a unit by the digest: {share:.3f}; evidence turns among them: {statistics.fmean(ev_share):.3f}"
    )
    print(
        f"- a logistic model of the features above (held out per conversation), the same share of turns: "
        f"{statistics.fmean(model):.3f} of the evidence turns ({', '.join(f'{x:.3f}' for x in model)})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
