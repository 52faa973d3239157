"""The reader benchmark's attributed evidence: an evidence turn's content counts only with
its speaker and its day, every digest segment is read back to its source turn, and evidence
kept verbatim is not scored.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.bench.reader import attribution as at
from tests.bench.reader import reading as rd
from tests.bench.reader import retrieval as rt
from tests.bench.reader.render import system_prompt
from tests.unit.bench.readerkit import digest_body, tiny


def attribution(lines: list[str], kept: list[dict[str, Any]] | None = None) -> at.Attribution:
    d = tiny()
    out = at.Attribution()
    units = rd.reading_units(digest_body(lines, kept), system_prompt(d))
    at.attribution(d, units, rt.dialogue_idf(d), out)
    return out


def test_attributed_evidence_needs_content_speaker_and_day() -> None:
    content = "Two days ago I was at an LGBTQ conference in Portland."
    dog = "That sounds amazing! My dog Luna loves long walks."
    good = attribution([f"- [12 Jul 2023] Caroline: {content} | Melanie: {dog}"])
    assert good.evidence == 2 and good.kept == 0 and good.matched == 2
    assert good.scores == [1.0, 1.0]
    assert good.speaker_right == 2 and good.day_right == 2
    role = attribution([f"- [12 Jul 2023] user: {content} | assistant: {dog}"])
    assert role.scores == [0.0, 0.0] and role.speaker_right == 0 and role.day_right == 2
    month = attribution([f"- [20 Jul 2023] Caroline: {content} | Melanie: {dog}"])
    assert month.scores == [0.5, 0.5] and month.day_right == 0
    undated = attribution([f"- Caroline: {content} | Melanie: {dog}"])
    assert undated.scores == [0.0, 0.0]
    partial = attribution(["- [12 Jul 2023] Caroline: LGBTQ conference Portland | Melanie: unrelated words"])
    assert 0.2 < partial.scores[0] < 0.9 and partial.scores[1] == 0.0


def test_every_digest_segment_is_read_back_to_its_source_turn() -> None:
    a = attribution(
        [
            "- [8 May 2023] Caroline: support group yesterday powerful | Melanie: painted lake sunrise last year",
            "- [12 Jul 2023] Melanie: LGBTQ conference Portland two days ago | Caroline: Sweet | Melanie: dog Luna walks",
        ]
    )
    # "Sweet" is too short to name a source; the conference is Caroline's turn under Melanie's name
    assert (a.segments, a.unclear) == (4, 1)
    assert a.segment_speaker == 3 and a.segment_day == 4


def test_a_dropped_turn_is_not_judged_by_the_label_of_a_weak_match() -> None:
    a = attribution(["- [8 May 2023] Melanie: Portland weather grey all week"])  # D2:1 is gone
    assert a.matched == 0 and a.scores[0] < 0.5


def test_evidence_kept_verbatim_is_not_scored() -> None:
    kept = [
        {
            "role": "user",
            "content": "[2023-07-12 19:05] Caroline: Two days ago I was at an LGBTQ conference in Portland.",
        }
    ]
    a = attribution([], kept)
    assert a.kept == 1 and a.scores == [0.0]  # the other (the dog) is gone: no segment holds it


def test_a_turn_inside_a_longer_kept_line_is_not_kept_verbatim() -> None:
    content = "Two days ago I was at an LGBTQ conference in Portland."
    kept = [{"role": "user", "content": f"Caroline: {content} And then I flew home."}]
    a = attribution([], kept)
    assert a.kept == 0 and a.scores == [0.0, 0.0]


def test_attribution_counts_words_and_gives_speaker_and_day_per_evidence_turn() -> None:
    # D2:1 has 6 content words; the first segment holds 2 rare ones, the second 4 common ones
    a = attribution(
        [
            "- [12 Jul 2023] Caroline: Portland LGBTQ",
            "- [8 May 2023] Melanie: two days ago conference",
        ]
    )
    assert a.evidence == 2 and len(a.scores) == 2
    assert a.speaker == [False, False] and a.day == [False, False]  # the segment with most words
    assert a.content[0] == pytest.approx(4 / 6)
