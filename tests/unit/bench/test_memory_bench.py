"""The memory benchmark's generator, metrics and baselines on small hand-made cases.

So that ``tests/bench/bench_memory.py`` cannot silently measure nothing: each metric is checked
against values computed by hand, and the generator's questions against its own conversations.
"""

from __future__ import annotations

import datetime as dt
import math
import re

import pytest

from proxy.compress import TokenCounter
from tests.bench.bench_memory import Score, Scorer
from tests.bench.memconv import metrics as mx
from tests.bench.memconv.baselines import bag_of_words, keep_last, middle_out
from tests.bench.memconv.generate import generate

MODEL = "gpt-4o"


# -- normalisation ---------------------------------------------------------------------------------
def test_terms_drop_stopwords_and_normalise_numbers_months_ordinals() -> None:
    assert mx.terms("I took up the cello about four years ago") == ["took", "cello", "4", "year", "ago"]
    assert mx.terms("on the 21st of Mar") == ["21", "march"]
    assert mx.terms("Maya's dogs can't") == ["maya", "dog"]
    assert len(set(mx.terms("hike hiking hiked hikes"))) == 1
    assert mx.terms("kilometres") == mx.terms("kilometre")
    assert mx.terms("running") == mx.terms("run")


def test_parse_dates_formats() -> None:
    day = dt.date(2024, 3, 14)
    for text in ("[Session 3 — 14 March 2024]", "[14 Mar 2024] Maya:", "March 14, 2024", "2024-03-14"):
        assert mx.parse_dates(text) == [day], text
    assert mx.parse_dates("the 21st of September") == []  # no year: not a date in force
    assert mx.parse_dates("31 February 2024") == []


# -- IDF and recall --------------------------------------------------------------------------------
DOCS = ["Maya: the cello is great", "Tom: the weather is grey", "Maya: weather again", "Tom: weather"]


def test_idf_weights_rare_terms_higher() -> None:
    idf = mx.Idf(DOCS)
    assert idf("cello") == pytest.approx(math.log(1 + 4 / 1))
    assert idf("weather") == pytest.approx(math.log(1 + 4 / 3))
    assert idf("cello") > idf("weather")
    assert idf("unseen") == pytest.approx(math.log(5))


def test_answer_recall_is_weighted_and_normalised_by_the_full_text() -> None:
    idf = mx.Idf(DOCS)
    full = mx.term_set("\n".join(DOCS))
    # "orchestra" is not in the conversation: it cannot be recalled, so it does not count
    assert mx.answer_recall("cello orchestra", mx.term_set("cello"), full, idf) == 1.0
    assert mx.answer_recall("cello", mx.term_set("weather"), full, idf) == 0.0
    partial = mx.answer_recall("cello weather", mx.term_set("weather"), full, idf)
    expected = math.log(1 + 4 / 3) / (math.log(1 + 4 / 3) + math.log(5))
    assert partial == pytest.approx(expected)
    assert mx.answer_recall("orchestra", full, full, idf) is None


def test_evidence_recall_is_the_weighted_share_of_the_turns_terms() -> None:
    idf = mx.Idf(DOCS)
    share = mx.evidence_recall("the cello is great", mx.term_set("cello"), idf)
    assert share == pytest.approx(math.log(5) / (math.log(5) + math.log(5)))  # cello, great: df 1 each
    assert mx.evidence_recall("the cello is great", mx.term_set("cello great"), idf) == 1.0


# -- units and attribution -------------------------------------------------------------------------
FACT = mx.FactRef("Maya", dt.date(2024, 3, 14), frozenset(mx.terms("Pickle beagle")))


def attribution_of(texts: list[str]) -> tuple[int, int]:
    return mx.attribution(mx.units(texts, ("Maya", "Tom")), [FACT])


def test_verbatim_turn_under_its_session_header_is_attributed() -> None:
    texts = ["[Session 3 — 14 March 2024]\nTom: hi", "Maya: we adopted a beagle called Pickle"]
    assert attribution_of(texts) == (1, 1)


def test_digest_entry_with_date_and_label_is_attributed() -> None:
    assert attribution_of(["[14 Mar 2024] Tom: rain | Maya: beagle Pickle adopted"]) == (1, 1)
    # the date of a group heading carries over to the entries below it
    assert attribution_of(["14 March 2024:\n- Maya: beagle Pickle"]) == (1, 1)


def test_wrong_speaker_wrong_date_or_no_label_is_not_attributed() -> None:
    assert attribution_of(["[14 Mar 2024] Tom: Maya's beagle Pickle"]) == (1, 0)  # Tom's entry
    assert attribution_of(["[2 Feb 2024] Maya: beagle Pickle"]) == (1, 0)
    assert attribution_of(["[14 Mar 2024] beagle Pickle"]) == (1, 0)
    # a date written later does not reach back
    assert attribution_of(["Maya: beagle Pickle", "[14 Mar 2024] Tom: ok"]) == (1, 0)


def test_a_fact_is_kept_only_when_its_words_are_together_on_a_short_unit() -> None:
    assert attribution_of(["Maya: beagle", "Maya: Pickle"]) == (0, 0)
    bag = "Maya: " + " ".join(f"word{i}" for i in range(mx.MAX_UNIT_TERMS)) + " beagle Pickle"
    assert attribution_of(["[14 Mar 2024]", bag]) == (0, 0)


def test_message_texts_include_list_parts_and_the_summary() -> None:
    body = {"messages": [{"role": "user", "content": [{"type": "text", "text": "a"}]}, {"content": "b"}]}
    assert mx.message_texts(body) == ["a", "b"]


# -- the generator ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def convs() -> list:
    return [generate(seed) for seed in (1, 2, 3)]


def test_generator_is_deterministic() -> None:
    assert generate(5) == generate(5)
    assert generate(5).turns != generate(6).turns


def test_conversations_have_dated_sessions_named_speakers_and_questions(convs: list) -> None:
    for conv in convs:
        assert 20 <= len(conv.dates) <= 36
        per_session: dict[int, int] = {}
        for t in conv.turns:
            per_session[t.session] = per_session.get(t.session, 0) + 1
            assert t.message.splitlines()[-1].startswith(f"{t.speaker}: ")
        assert min(per_session.values()) >= 15
        firsts = [t for t in conv.turns if t.id.endswith("t1")]
        assert all(mx.parse_dates(t.message.splitlines()[0]) == [conv.dates[t.session]] for t in firsts)
        assert len(conv.questions) >= 20
        assert {q.kind for q in conv.questions} >= {"single", "temporal", "update", "numeric"}
        assert 80_000 <= len("".join(t.message for t in conv.turns)) <= 240_000  # ≈ 20k–60k tokens


def test_every_question_is_answerable_from_its_evidence(convs: list) -> None:
    for conv in convs:
        full = mx.term_set("\n".join(t.message for t in conv.turns))
        for q in conv.questions:
            last = conv.turn(q.evidence[-1])
            assert set(mx.terms(" ".join(q.keys))) <= mx.term_set(last.text), q
            assert mx.term_set(q.answer) & full, q
            if q.kind != "temporal":  # temporal answers also use the session date
                evidence = mx.term_set(" ".join(conv.turn(e).text for e in q.evidence))
                assert mx.term_set(q.answer) <= evidence | {"no", "stay"} | mx.term_set(q.question), q


def test_no_regex_spottable_fact_tokens(convs: list) -> None:
    for conv in convs:
        text = "\n".join(t.message for t in conv.turns)
        assert not re.search(r"\b[A-Za-z]+[-_]\d+|\d{5,}|\b[A-Z]{2,}-", text)


# -- baselines and the scorer ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def counter() -> TokenCounter:
    return TokenCounter()


def test_baselines_fit_the_budget_and_keep_their_ends(convs: list, counter: TokenCounter) -> None:
    body = convs[0].body(MODEL)
    full = counter.count_request("openai-chat", body, MODEL)
    budget = full // 4
    last = keep_last(body, budget, counter, MODEL)
    mid = middle_out(body, budget, counter, MODEL)
    bag = bag_of_words(body, budget, counter, MODEL)
    for out in (last, mid, bag):
        size = counter.count_request("openai-chat", out, MODEL)
        assert 0.9 * budget <= size <= budget or out is bag
        assert size <= budget
        assert out["messages"][0] == body["messages"][0]
    assert last["messages"][-1] == body["messages"][-1] == mid["messages"][-1]
    assert mid["messages"][1] == body["messages"][1]
    assert last["messages"][1] != body["messages"][1]


def test_scorer_full_text_scores_one_and_an_empty_body_scores_zero(convs: list) -> None:
    conv = convs[0]
    scorer = Scorer(conv)
    full, empty = Score(), Score()
    scorer.score(conv.body(MODEL), full)
    scorer.score({"messages": [{"role": "system", "content": conv.system}]}, empty)
    assert len(full.answer) == len(conv.questions) and min(full.answer) == pytest.approx(1.0)
    assert min(full.evidence) == pytest.approx(1.0)
    assert full.kept == full.attributed == full.facts > 0
    assert max(empty.answer) < 0.2 and max(empty.evidence) < 0.2
    assert empty.kept == 0


def test_scorer_sees_keep_last_lose_old_facts(convs: list, counter: TokenCounter) -> None:
    conv = convs[0]
    body = conv.body(MODEL)
    budget = counter.count_request("openai-chat", body, MODEL) // 4
    score = Score()
    Scorer(conv).score(keep_last(body, budget, counter, MODEL), score)
    mean = sum(score.answer) / len(score.answer)
    assert 0.1 < mean < 0.7
    assert 0 < score.kept < score.facts


# -- the MassGen body benchmark ------------------------------------------------------------------
def test_massgen_bodies_are_deterministic_and_hold_what_is_measured() -> None:
    from tests.bench.bench_massgen import LABEL, scaled_body

    body, questions, facts = scaled_body(1)
    assert scaled_body(1)[0] == body
    text = "\n".join(mx.message_texts(body))
    assert text.count("[user] ") == len(questions) == 40
    assert "<ORIGINAL MESSAGE> What is 2+2? <END OF ORIGINAL MESSAGE>" in text
    assert len(set(LABEL.findall(text))) == 6  # the request's two answers and four added ones
    lines = [mx.term_set(line) for line in text.splitlines()]
    assert len(facts) == 15 and all(any(f <= line for line in lines) for f in facts)
    assert all(any(mx.term_set(q) <= line for line in lines) for q in questions)
