"""A chat's digest units: statements with their speaker, fillers dropped whole, an answer
with its question, a turn one unit with its subject, a name addressed not taken for the subject,
events weighed over remarks.
"""

from __future__ import annotations

from proxy.compress import DroppedMessage
from proxy.compress.digest_units import make_units
from tests.unit.compress.rendered_chat import merged


def test_units_read_as_statements_fillers_go_whole_answers_carry_their_question() -> None:
    units, _ = make_units(merged(), None)
    texts = [f"{u.speaker}: {u.text}" for u in units]
    assert not any(t.endswith(": guts") for t in texts)  # "You've got guts!" is dropped whole
    assert "Tom: long married now? Seven years August" in texts
    assert any(t.startswith("Priya: went lantern festival Bath yesterday 8 June") for t in texts)


def test_speaker_order_name_field_then_stamp_then_line_prefix_then_role() -> None:
    by_name = make_units((DroppedMessage("user", "Tom: this line names Tom", speaker="Priya"),), None)[0]
    assert by_name[0].speaker == "Priya"  # the name field wins over a prefix
    lines = "Priya: first line here\nTom: second line here\nPriya: third line here"
    by_line = make_units((DroppedMessage("user", lines),), None)[0]
    assert [u.speaker for u in by_line] == ["Priya", "Tom", "Priya"]
    bare = make_units((DroppedMessage("assistant", "Nothing names who wrote this sentence."),), None)[0]
    assert bare[0].speaker == "assistant"
    agent = make_units(
        (DroppedMessage("assistant", "Paris is the capital city.", speaker="agent1.2"),), None
    )[0]
    assert agent[0].speaker == "agent1.2"


def test_a_turn_stays_one_unit_with_its_subject_and_repeats_once() -> None:
    text = (
        "Priya: I adopted a greyhound called Pesto. He is three years old. He is three years old.\n"
        "Tom: Wow, that's great!"
    )
    units, _ = make_units((DroppedMessage("user", text),), None)
    priya = [u for u in units if u.speaker == "Priya"]
    assert len(priya) == 1  # the turn's sentences together: the fact keeps its subject
    assert priya[0].text == "adopted greyhound called Pesto; three years old"  # said twice: once
    assert not any(u.speaker == "Tom" for u in units)  # a filler turn goes whole


def test_a_speaker_addressed_by_name_is_not_the_subject() -> None:
    text = "Tom: Hey Priya, it's been busy at the bakery.\nPriya: Thanks, Tom! I moved to Leeds.\nTom: Pri, Leeds has old trams."
    units, _ = make_units((DroppedMessage("user", text),), None)
    texts = [f"{u.speaker}: {u.text}" for u in units]
    assert "Tom: busy bakery" in texts  # not "Priya busy bakery"
    assert "Priya: moved Leeds" in texts
    assert "Tom: Leeds old trams" in texts  # the nickname goes too, the place stays
    said = make_units((DroppedMessage("user", "Tom: I told Priya about the move.\nPriya: ok ok"),), None)[0]
    assert "Priya" in said[0].text  # a name inside the sentence is content


def test_first_person_events_weigh_more_than_remarks_about_the_listener() -> None:
    text = "Priya: I went to a lantern festival in Bath.\nTom: Your photos always look lovely and bright."
    units, _ = make_units((DroppedMessage("user", text),), None)
    event, remark = units
    assert event.speaker == "Priya" and remark.speaker == "Tom"
    assert event.weight > 1.0 > remark.weight


def test_how_someone_felt_stays_but_a_reaction_alone_is_a_filler() -> None:
    text = "Priya: The lantern festival made me so happy.\nTom: That sounds great!"
    units, _ = make_units((DroppedMessage("user", text),), None)
    assert [f"{u.speaker}: {u.text}" for u in units] == ["Priya: lantern festival made happy"]


def test_a_sentence_with_its_own_subject_and_name_is_its_own_unit() -> None:
    text = "Priya: I made a fennel curry on Monday. It was far too hot. Ines lent me a novel called Anchors."
    units, _ = make_units((DroppedMessage("user", text),), None)
    assert [u.text for u in units] == ["made fennel curry Monday; far hot", "Ines lent novel called Anchors"]
