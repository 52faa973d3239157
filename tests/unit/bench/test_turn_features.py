"""The turn-feature diagnostic (``tests/bench/bench_reader_turns.py``) on hand-made dialogues."""

from __future__ import annotations

import datetime as dt

from tests.bench.reader import turn_features as tf
from tests.bench.reader.dialogue import Dialogue, Question, Turn, turn_time

START = dt.datetime(2024, 3, 2, 18, 0)
FACT = "I went to Porto last week and bought a green kayak called Pebble for 300 euros."
FILLER = "Thanks, that sounds lovely!"


def dialogue(name: str, pattern: str) -> Dialogue:
    """Turns alternate a fact and a filler (``pattern``: F fact, x filler); every fact is evidence."""
    turns = tuple(
        Turn(
            f"D1:{i + 1}",
            "Ines" if i % 2 == 0 else "Tomas",
            1,
            turn_time(START, i),
            FACT if c == "F" else FILLER,
        )
        for i, c in enumerate(pattern)
    )
    facts = tuple(t.id for t in turns if t.text == FACT)
    questions = (Question("What did Ines buy?", "a green kayak", facts, "1"),)
    return Dialogue(name, ("Ines", "Tomas"), (START,), turns, questions)


def test_features_read_place_and_text() -> None:
    d = dialogue("a", "FxFxxx")
    first, *_, last = tf.places(d)
    assert tf.FEATURES["a session's first 2 turns"](first)
    assert tf.FEATURES["a session's last 2 turns"](last)
    assert tf.FEATURES["a first-person event"](first) and tf.FEATURES["a number"](first)
    assert tf.FEATURES["opens with thanks or a reaction"](last) and tf.FEATURES["under 12 words"](last)
    assert not tf.FEATURES["a first-person event"](last)


def test_rates_count_evidence_turns_per_feature() -> None:
    rows = {name: (n, share) for name, n, share in tf.rates([dialogue("a", "FxFx")])}
    assert rows["all turns"] == (4, 0.5)
    assert rows["a number"] == (2, 1.0)
    assert rows["opens with thanks or a reaction"] == (2, 0.0)


def test_a_model_trained_on_other_dialogues_finds_the_facts() -> None:
    convs = [dialogue(n, p) for n, p in (("a", "FxFxxx"), ("b", "xFxxFx"), ("c", "xxFxFx"))]
    assert tf.held_out_coverage(convs, share=2 / 6) == [1.0, 1.0, 1.0]
