"""The harder, assistant-style variant of the memory benchmark (``--style assistant``).

Checks that the data has the properties that make it harder than the friends' chats — long turns,
facts in passing, distractors sharing the facts' vocabulary, updates — and that the metrics do not
saturate on it for the bag-of-words control.
"""

from __future__ import annotations

import re
import statistics

import pytest

from proxy.compress import TokenCounter
from tests.bench.bench_memory import MAX_UNIT_TERMS, Score, Scorer
from tests.bench.memconv import metrics as mx
from tests.bench.memconv import vocab as v
from tests.bench.memconv.assistant import ASSISTANT, generate_assistant
from tests.bench.memconv.baselines import bag_of_words, keep_last

MODEL = "gpt-4o"


@pytest.fixture(scope="module")
def convs() -> list:
    return [generate_assistant(seed) for seed in (1, 2)]


def test_deterministic_and_seeded() -> None:
    assert generate_assistant(4) == generate_assistant(4)
    assert generate_assistant(4).turns != generate_assistant(5).turns


def test_long_turns_labels_and_dated_sessions(convs: list) -> None:
    for conv in convs:
        user, bot = conv.speakers
        assert bot == ASSISTANT
        user_words = [len(t.text.split()) for t in conv.turns if t.speaker == user]
        bot_words = [len(t.text.split()) for t in conv.turns if t.speaker == bot]
        assert 60 <= min(user_words) and max(user_words) <= 250
        assert statistics.fmean(bot_words) >= 150  # assistants answer at length
        for t in conv.turns:
            assert t.message.splitlines()[-1].startswith(f"{t.speaker}: ")
            assert "\n" not in t.text  # one line: a verbatim turn is one unit
            assert len(mx.terms(t.text)) <= MAX_UNIT_TERMS["assistant"] or t.speaker == bot
        firsts = [t for t in conv.turns if t.id.endswith("t1")]
        assert len(firsts) == len(conv.dates) >= 16
        assert all(mx.parse_dates(t.message.splitlines()[0]) == [conv.dates[t.session]] for t in firsts)


def test_questions_answerable_from_their_evidence_and_of_every_kind(convs: list) -> None:
    for conv in convs:
        assert {q.kind for q in conv.questions} >= {"single", "temporal", "update", "numeric"}
        for q in conv.questions:
            last = conv.turn(q.evidence[-1])
            assert last.speaker == conv.speakers[0] == q.speaker
            assert set(mx.terms(" ".join(q.keys))) <= mx.term_set(last.text), q
            if q.kind != "temporal":
                evidence = mx.term_set(" ".join(conv.turn(e).text for e in q.evidence))
                assert mx.term_set(q.answer) <= evidence | mx.term_set(q.question), q


def test_facts_are_said_in_passing_among_other_sentences(convs: list) -> None:
    for conv in convs:
        for q in conv.questions:
            text = conv.turn(q.evidence[-1]).text
            assert len(re.findall(r"[.?!](?:\s|$)", text)) >= 4, text  # the fact is one of several


def test_distractors_share_the_facts_vocabulary(convs: list) -> None:
    for conv in convs:
        text = "\n".join(t.text for t in conv.turns)
        assert sum(name in text for name in v.PET_NAMES) >= 2  # the sister's pet has a name too
        assert sum(place in text for place in v.TRIP_PLACES) >= 4  # several trips
        assert sum(city in text for city in v.CITIES) >= 4
        # most answers recur outside their evidence turns (mentions, echoes, distractors)
        recurring = 0
        for q in conv.questions:
            others = mx.term_set(" ".join(t.text for t in conv.turns if t.id not in q.evidence))
            recurring += bool(mx.term_set(q.answer) & others)
        assert recurring >= 0.6 * len(conv.questions)


def test_no_regex_spottable_fact_tokens(convs: list) -> None:
    for conv in convs:
        text = "\n".join(t.message for t in conv.turns)
        assert not re.search(r"\b[A-Za-z]+[-_]\d+|\d{5,}|\b[A-Z]{2,}-", text)


def test_full_text_scores_one_and_the_bag_of_words_does_not_saturate(convs: list) -> None:
    counter = TokenCounter()
    full, bag, last = Score(), Score(), Score()
    for conv in convs:
        scorer = Scorer(conv, MAX_UNIT_TERMS["assistant"])
        body = conv.body(MODEL)
        scorer.score(body, full)
        budget = counter.count_request("openai-chat", body, MODEL) // 4
        scorer.score(bag_of_words(body, budget, counter, MODEL), bag)
        scorer.score(keep_last(body, budget, counter, MODEL), last)
    assert min(full.answer) == pytest.approx(1.0) and min(full.evidence) == pytest.approx(1.0)
    assert full.kept == full.attributed == full.facts > 0
    assert statistics.fmean(bag.answer) < 0.97 and statistics.fmean(bag.evidence) < 0.97
    assert bag.kept < 0.5 * bag.facts
    assert statistics.fmean(last.answer) < 0.8 and last.kept < full.kept
