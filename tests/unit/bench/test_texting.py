"""The reader benchmark's ``--texting`` rewrite: the same facts as people text them, a turn sent
as a burst, every question's evidence still pointing at the turns that hold its answer."""

from __future__ import annotations

import re

from tests.bench.reader import reading as rd
from tests.bench.reader.dates import Day
from tests.bench.reader.render import RENDER, system_prompt
from tests.bench.reader.texting import texted
from tests.unit.bench.readerkit import tiny


def test_texted_is_deterministic_and_keeps_speakers_sessions_and_days() -> None:
    d = tiny()
    a, b = texted(d), texted(d)
    assert a == b
    assert {t.speaker for t in a.turns} == set(d.speakers)
    originals = d.by_id
    for t in a.turns:
        source = originals[re.sub(r"(\+\d+|-)$", "", t.id)]
        assert (t.speaker, t.session, t.when.date()) == (source.speaker, source.session, source.when.date())


def test_a_turn_of_several_sentences_is_sent_as_a_burst_and_the_evidence_names_every_piece() -> None:
    d = tiny()
    t = texted(d)
    long_turns = [x for x in d.turns if len(re.findall(r"[.!?](?:\s|$)", x.text)) >= 2]
    assert long_turns, "the fixture has turns of several sentences"
    assert len(t.turns) > len(d.turns)
    ids = {x.id for x in t.turns}
    for q_before, q_after in zip(d.questions, t.questions, strict=True):
        assert (q_before.question, q_before.answer) == (q_after.question, q_after.answer)
        assert set(q_before.evidence) <= set(q_after.evidence) <= ids


def test_the_facts_are_the_same_words_in_lower_case() -> None:
    d = tiny()
    t = texted(d)
    for turn in d.turns:
        pieces = " ".join(x.text for x in t.turns if re.sub(r"\+\d+$", "", x.id) == turn.id).lower()
        for fact in re.findall(r"\b(?:[A-Z][a-z]+|\d+)\b", turn.text):
            if fact.lower() not in {"i", "hey", "that", "sweet", "wow", "so", "you"}:
                assert fact.lower() in pieces, (fact, pieces)


def test_a_texted_chat_export_reads_back_its_speakers_and_days() -> None:
    t = texted(tiny())
    body = RENDER["chatlog"](t, "gpt-4o")
    units = rd.reading_units(body, system_prompt(t))
    assert len(units) == len(t.turns)
    for unit, turn in zip(units, t.turns, strict=True):
        assert unit.speaker == turn.speaker
        assert unit.day == Day(turn.when.year, turn.when.month, turn.when.day)
