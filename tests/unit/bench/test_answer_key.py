"""The answer-key diagnostic (``tests/bench/bench_reader_ceiling.py``) on a hand-made dialogue:
it must weight exactly the units of the evidence turns, in merged and named messages alike."""

from __future__ import annotations

import datetime as dt

import proxy.compress.digest as digest
from proxy.compress.summarizer import DroppedMessage
from tests.bench.reader.answer_key import AnswerKey
from tests.bench.reader.dialogue import Dialogue, Question, Turn, turn_time

START = dt.datetime(2024, 3, 2, 18, 0)
LINES = [
    ("Ines", "On Saturday I ran the harbour half marathon in 1:52."),
    ("Tomas", "Nice! My sister Vera moved to Porto for a nursing job."),
    ("Ines", "I bought a green kayak called Pebble last week."),
    ("Tomas", "We booked a cabin in Ardennes for the spring break."),
]


def dialogue() -> Dialogue:
    turns = tuple(
        Turn(f"D1:{i + 1}", who, 1, turn_time(START, i), text) for i, (who, text) in enumerate(LINES)
    )
    questions = (
        Question("Where did Vera move?", "Porto", ("D1:2",), "1"),
        Question("What is Ines's kayak called?", "Pebble", ("D1:3",), "1"),
    )
    return Dialogue("key", ("Ines", "Tomas"), (START,), turns, questions)


def weights(dropped: tuple[DroppedMessage, ...], key: AnswerKey | None) -> dict[str, float]:
    """Each unit's weight, by a word only its turn has."""
    if key is not None:
        key.install()
    try:
        units, _ = digest.make_units(dropped, START.date())
    finally:
        if key is not None:
            key.uninstall()
    marks = ("marathon", "porto", "kayak", "ardennes")
    return {m: u.weight for u in units for m in marks if m in u.words}


def check(dropped: tuple[DroppedMessage, ...]) -> None:
    key = AnswerKey(10.0)
    key.use(dialogue())
    plain = weights(dropped, None)
    keyed = weights(dropped, key)
    assert set(plain) == set(keyed) == {"marathon", "porto", "kayak", "ardennes"}
    for mark, boosted in (("marathon", False), ("porto", True), ("kayak", True), ("ardennes", False)):
        assert keyed[mark] == (plain[mark] * 10 if boosted else plain[mark]), mark


def test_merged_message_units_of_evidence_turns_weigh_more() -> None:
    text = "\n".join(f"{who}: {said}" for who, said in LINES)
    check((DroppedMessage("user", text),))


def test_named_messages_units_of_evidence_turns_weigh_more() -> None:
    roles = ("user", "assistant")
    check(tuple(DroppedMessage(roles[i % 2], said, speaker=who) for i, (who, said) in enumerate(LINES)))


def test_uninstall_restores_the_digest() -> None:
    original = digest.make_units
    key = AnswerKey(3.0)
    key.install()
    assert digest.make_units != original
    key.uninstall()
    assert digest.make_units is original
