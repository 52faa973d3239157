"""The reader benchmark's metrics on small hand-made cases whose answers are known.

So that ``tests/bench/bench_reader.py`` and ``bench_agent_sessions.py`` cannot silently measure
nothing: dates, reading units, reader recall, attributed evidence, the renderings, the agent
facts, the checks and the baselines are each checked where they must succeed and where they
must fail.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from tests.bench.reader import agent as ag
from tests.bench.reader import attribution as at
from tests.bench.reader import reading as rd
from tests.bench.reader import retrieval as rt
from tests.bench.reader.dates import Day, day_score, leading_date
from tests.bench.reader.dialogue import Dialogue, Question, Turn, parse_locomo_time, turn_time
from tests.bench.reader.extraction import whole_turns
from tests.bench.reader.render import RENDER, RENDERINGS, system_prompt
from tests.bench.reader.render_tools import TOOLS

DATA = Path(__file__).resolve().parents[2] / "data" / "openhands"
HEADER = "[ctxproxy: summary of earlier conversation] Digest, oldest first: [date] speaker: facts."


# -- dates -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "day", "rest"),
    [
        ("1:56 pm on 8 May, 2023", Day(2023, 5, 8), ""),
        ("[2023-05-08 13:56] Caroline: hi", Day(2023, 5, 8), "Caroline: hi"),
        ("2023-05-08T13:56 Caroline: hi", Day(2023, 5, 8), "Caroline: hi"),
        ("29.12.2023, 22:42:04 - Bob: ok", Day(2023, 12, 29), "Bob: ok"),
        ("Session 3 · Friday, 9 June 2023", Day(2023, 6, 9), ""),
        ("[Session 2 — 3 March 2024]", Day(2024, 3, 3), ""),
        ("Mon 9 Jun 2023 14:02 Bob: hey", Day(2023, 6, 9), "Bob: hey"),
        ("March 14, 2024", Day(2024, 3, 14), ""),
        ("wk 11 Mar 2024", Day(2024, 3, 11), ""),
        ("Mar 2024", Day(2024, 3, None), ""),
    ],
)
def test_leading_date_formats(text: str, day: Day, rest: str) -> None:
    found = leading_date(text)
    assert found is not None
    assert found[0] == day
    assert text[found[1] :] == rest


@pytest.mark.parametrize(
    "text",
    ["I have 300 cats", "12 apples in 2023", "Caroline: went on 8 May, 2023", "31 February 2024", "2023"],
)
def test_no_date_in_force_inside_content_or_from_plain_numbers(text: str) -> None:
    assert leading_date(text) is None


def test_day_score() -> None:
    truth = dt.date(2023, 5, 7)
    assert day_score(Day(2023, 5, 7), truth) == 1.0
    assert day_score(Day(2023, 5, 8), truth) == 0.5
    assert day_score(Day(2023, 5, None), truth) == 0.5
    assert day_score(Day(2023, 6, 7), truth) == 0.0
    assert day_score(None, truth) == 0.0


# -- a tiny dialogue -------------------------------------------------------------------------------
S1 = dt.datetime(2023, 5, 8, 13, 56)
S2 = dt.datetime(2023, 7, 12, 19, 5)
TEXTS = [
    (1, "Caroline", "Hey Mel! How have you been?"),
    (1, "Melanie", "Busy with the kids and work. You?"),
    (1, "Caroline", "I went to a support group yesterday, it was powerful."),
    (1, "Melanie", "I painted a lake sunrise last year, it is special to me."),
    (1, "Caroline", "The colours blend so nicely."),
    (2, "Caroline", "Two days ago I was at an LGBTQ conference in Portland."),
    (2, "Melanie", "That sounds amazing! My dog Luna loves long walks."),
    (2, "Caroline", "I adopted a cat called Oliver last week."),
    (2, "Melanie", "Sweet, talk soon!"),
]


def tiny() -> Dialogue:
    turns: list[Turn] = []
    count: dict[int, int] = {}
    for s, who, text in TEXTS:
        i = count.get(s, 0)
        count[s] = i + 1
        start = S1 if s == 1 else S2
        caption = "a photo of a painting of a sunrise over a lake" if "painted" in text else ""
        turns.append(Turn(f"D{s}:{i + 1}", who, s, turn_time(start, i), text, caption))
    questions = (
        Question("Where was the LGBTQ conference?", "Portland", ("D2:1",), "1"),
        Question("What is the name of Melanie's dog?", "Luna", ("D2:2",), "1"),
        Question("When did Caroline go to the LGBTQ conference?", "10 July 2023", ("D2:1",), "2"),
    )
    return Dialogue("tiny", ("Caroline", "Melanie"), (S1, S2), tuple(turns), questions)


def test_locomo_time() -> None:
    assert parse_locomo_time("1:56 pm on 8 May, 2023") == S1
    assert turn_time(dt.datetime(2023, 1, 1, 23, 58), 5).date() == dt.date(2023, 1, 1)


@pytest.mark.parametrize("rendering", [*RENDERINGS, *TOOLS])
def test_every_rendering_reads_back_its_speakers_and_days(rendering: str) -> None:
    d = tiny()
    body = RENDER[rendering](d, "gpt-4o")
    msgs = body["messages"]
    assert msgs[0]["role"] == "system" and msgs[-1]["role"] == "user"
    units = rd.reading_units(body, system_prompt(d))
    assert len(units) == len(d.turns)
    for unit, turn in zip(units, d.turns, strict=True):
        assert unit.speaker is not None and unit.speaker.casefold() == turn.speaker.casefold()
        assert unit.day == Day(turn.when.year, turn.when.month, turn.when.day)
        assert turn.text in unit.text


def test_renderings_look_as_documented() -> None:
    d = tiny()
    merged = RENDER["merged"](d, "gpt-4o")["messages"]
    assert (
        merged[1]["content"].splitlines()[0] == "1:56 pm on 8 May, 2023 Caroline: Hey Mel! How have you been?"
    )
    assert "\n7:05 pm on 12 July, 2023 Caroline: Two days ago" in merged[2]["content"]  # a later line
    assert [m["role"] for m in merged[1:-1]] == ["user", "assistant", "user"]
    lines = RENDER["merged-lines"](d, "gpt-4o")["messages"]
    assert lines[1]["content"].splitlines()[:2] == [
        "1:56 pm on 8 May, 2023",
        "Caroline: Hey Mel! How have you been?",
    ]
    assert "\n7:05 pm on 12 July, 2023\nCaroline: Two days ago" in lines[2]["content"]
    stamped = RENDER["stamped"](d, "gpt-4o")["messages"]
    assert stamped[3]["content"].startswith("[2023-05-08 13:58] Caroline: I went")
    named = RENDER["named"](d, "gpt-4o")["messages"]
    assert named[6] == {
        "role": "user",
        "name": "Caroline",
        "content": "Session 2 · Wednesday, 12 July 2023\nTwo days ago I was at an LGBTQ conference in Portland.",
    }
    assert RENDER["chatlog"](d, "gpt-4o")["messages"][1]["content"].startswith(
        "08.05.2023, 13:56:00 - Caroline: "
    )


# -- reading units of a digest ---------------------------------------------------------------------
def digest_body(lines: list[str], kept: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    d = tiny()
    return {
        "messages": [
            {"role": "system", "content": system_prompt(d)},
            {"role": "user", "content": "\n".join([HEADER, *lines, "(5 messages compacted)"])},
            *(kept or []),
            {"role": "user", "content": "What do you remember?"},
        ]
    }


def test_digest_segments_get_their_label_and_the_date_of_the_line() -> None:
    body = digest_body(
        [
            "- [8 May 2023] Caroline: support group yesterday | Melanie: painted lake sunrise",
            "- [12 Jul 2023] user: 2023-07-14 19:07 Caroline adopted cat Oliver | LGBTQ conference",
            "- Dana: [3 Mar 2024] took up cello; [9 Apr 2024] moved to Leeds | [20 Apr 2024] Dana: band",
            "- 9 June 2023",
            "- Caroline: new job",
        ],
        [{"role": "assistant", "content": "Caroline: The colours blend so nicely."}],
    )
    units = rd.reading_units(body, system_prompt(tiny()))
    got = [(u.speaker, str(u.day), u.digest) for u in units]
    assert got == [
        ("Caroline", "8 May 2023", True),
        ("Melanie", "8 May 2023", True),
        ("user", "12 July 2023", True),  # a stamp after a label is content, not a date in force
        (None, "12 July 2023", True),  # no label: no speaker
        ("Dana", "12 July 2023", True),  # a [date] inside a line is content
        (None, "12 July 2023", True),  # … also at a segment's start
        ("Caroline", "9 June 2023", True),  # a line that is only a date is a header
        ("Caroline", "9 June 2023", False),  # a kept turn after the digest: the last date in force
    ]
    assert units[2].content == "2023-07-14 19:07 Caroline adopted cat Oliver"


def test_a_kept_turn_of_several_lines_is_one_unit() -> None:
    kept = [
        {
            "role": "user",
            "content": "7:05 pm on 12 July, 2023 Caroline: Two days ago:\nthe conference.\nMelanie: Nice",
        },
        {
            "role": "assistant",
            "name": "Melanie",
            "content": "Session 3 · Friday, 14 July 2023\nLine one\nline two",
        },
    ]
    units = rd.reading_units(digest_body([], kept), system_prompt(tiny()))
    assert [(u.speaker, str(u.day), u.content) for u in units] == [
        ("Caroline", "12 July 2023", "Two days ago:\nthe conference."),
        ("Melanie", "12 July 2023", "Nice"),
        ("Melanie", "14 July 2023", "Line one\nline two"),
    ]


def test_a_digest_line_opening_with_a_date_is_dated_by_it() -> None:
    units = rd.reading_units(
        digest_body(["- 7:55 pm 9 June 2023 Caroline: hey there"]), system_prompt(tiny())
    )
    assert [(u.speaker, str(u.day)) for u in units] == [("Caroline", "9 June 2023")]


def test_content_words_are_not_stemmed() -> None:
    assert rd.words("Caroline's hiking trips, didn't she? 3 times in 2023!") == [
        "caroline",
        "hiking",
        "trips",
        "3",
        "times",
        "2023",
    ]


# -- reader recall ---------------------------------------------------------------------------------
def score(d: Dialogue, body: dict[str, Any]) -> rt.RecallScore:
    full = rt.Library(rd.reading_units(RENDER["merged"](d, "gpt-4o"), system_prompt(d)))
    out = rt.RecallScore()
    rt.reader_recall(
        d.questions, rt.Library(rd.reading_units(body, system_prompt(d))), full, rt.dialogue_idf(d), out
    )
    return out


def test_reader_recall_is_one_when_the_digest_holds_the_answers_with_their_date() -> None:
    body = digest_body(
        ["- [12 Jul 2023] Caroline: LGBTQ conference Portland two days ago | Melanie: dog Luna loves walks"]
    )
    s = score(tiny(), body)
    # "10 July 2023": the uncompressed reading also has only July and 2023 (the date in force)
    assert s.values == [1.0, 1.0, 1.0]


def test_reader_recall_falls_when_the_answer_is_gone_or_misdated() -> None:
    d = tiny()
    gone = score(d, digest_body(["- [8 May 2023] Caroline: support group | Melanie: painted lake sunrise"]))
    assert gone.values[:2] == [0.0, 0.0]
    assert gone.values[2] < 0.6  # only the year is left (in the date in force)
    right = score(d, digest_body(["- [12 Jul 2023] Caroline: LGBTQ conference Portland"])).values[-1]
    wrong = score(d, digest_body(["- [8 May 2023] Caroline: LGBTQ conference Portland"])).values[-1]
    assert wrong < right


def test_reader_recall_reads_only_700_characters() -> None:
    """The answer behind a long line of words that match the question better is not read."""
    d = tiny()
    noise = "; ".join(["LGBTQ conference name dog Melanie"] * 30)
    far = digest_body([f"- [12 Jul 2023] Melanie: {noise}", "- [12 Jul 2023] Melanie: dog Luna"])
    near = digest_body(["- [12 Jul 2023] Melanie: dog Luna"])
    assert score(d, far).values[1] == 0.0
    assert score(d, near).values[1] == 1.0


def test_bm25_ranks_the_matching_document_first() -> None:
    bm = rt.BM25([["cat", "oliver"], ["dog", "luna"], ["dog", "walk", "long", "walk"]])
    s = bm.scores(["luna"])
    assert s[1] > 0 and s[0] == 0 and s[2] == 0


# -- attributed evidence ---------------------------------------------------------------------------
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


def test_the_read_stops_before_a_unit_that_does_not_fit() -> None:
    units = [
        rd.ReadUnit("Melanie: dog " + "walks " * 60, "Melanie", None, True),
        rd.ReadUnit("Melanie: dog Luna", "Melanie", None, True),
        rd.ReadUnit("Caroline: dog " + "park " * 150, "Caroline", None, True),
    ]
    lib = rt.Library(units)
    assert lib.texts[1] == units[0].text + "\n" + units[1].text  # joined with the whole unit before
    text = lib.read("Melanie dog Luna")
    assert text.startswith(lib.texts[1]) and len(text) <= rt.READ_CHARS
    assert "park" not in text  # no part of a unit that does not fit
    assert rt.Library(units[2:]).read("park dog") == units[2].text[: rt.READ_CHARS]  # the first is cut


# -- whole-turn extraction -------------------------------------------------------------------------
def test_whole_turn_extraction_fits_and_keeps_dates_and_speakers() -> None:
    d = tiny()

    def count(body: dict[str, Any]) -> int:
        return sum(len(rd.message_text(m)) for m in body["messages"]) // 4

    budget = count(RENDER["stamped"](d, "gpt-4o")) // 2
    out = whole_turns(d, RENDER["stamped"], "gpt-4o", budget, count, rt.dialogue_idf(d))
    assert count(out) <= budget
    units = rd.reading_units(out, system_prompt(d))
    assert 0 < len(units) < len(d.turns)
    assert all(u.speaker in d.speakers and u.day is not None for u in units)
    ids = [t.id for t in d.turns if any(t.text in u.text for u in units)]
    assert len(ids) == len(units) and ids == sorted(ids, key=[t.id for t in d.turns].index)  # in order


# -- agent sessions --------------------------------------------------------------------------------
def call(cid: str, name: str, **args: str) -> dict[str, Any]:
    return {"id": cid, "type": "function", "function": {"name": name, "arguments": json.dumps(args)}}


def session() -> dict[str, Any]:
    return {
        "model": "gpt-4o",
        "tools": [{"type": "function", "function": {"name": "execute_bash", "parameters": {}}}],
        "messages": [
            {"role": "system", "content": "You are an agent."},
            {"role": "user", "content": "Fix the bug in /repo/pkg/core.py please."},
            {
                "role": "assistant",
                "content": "Looking.",
                "tool_calls": [call("c1", "execute_bash", command="grep -rn x")],
            },
            {
                "role": "tool",
                "tool_call_id": "c1",
                "content": "/repo/pkg/util_helpers.py:4120: def parse_value\n" + "x" * 800,
            },
            {
                "role": "assistant",
                "content": "Run it.",
                "tool_calls": [call("c2", "execute_bash", command="python t.py")],
            },
            {
                "role": "tool",
                "tool_call_id": "c2",
                "content": "Traceback:\n  File t.py, line 17\nKeyError: 'REGION'\n" + "y" * 800,
            },
            {
                "role": "assistant",
                "content": "The KeyError at line 17 comes from parse_value in /repo/pkg/util_helpers.py.",
                "tool_calls": [
                    call("c3", "execute_bash", command="sed -n 4120,4125p /repo/pkg/util_helpers.py")
                ],
            },
            {"role": "tool", "tool_call_id": "c3", "content": "def parse_value(raw):"},
            {"role": "assistant", "content": "Also /repo/pkg/core.py."},
        ],
    }


def test_facts_in_finds_each_kind() -> None:
    found = ag.facts_in(
        "KeyError at line 17 in /repo/pkg/util_helpers.py: parse_value(), code 4120, getValue, a.b.c"
    )
    assert {
        "KeyError",
        "line 17",
        "/repo/pkg/util_helpers.py",
        "util_helpers.py",
        "parse_value",
        "4120",
        "getValue",
        "a.b.c",
    } <= found
    assert "17" not in found and "at" not in found
    assert ag.facts_in("exit 4120. pi 3.14159, v1.2.345") == {"4120"}  # sentence end yes, decimals no
    # a fragment glued to more of a name is no fact; two-part names are; abbreviations are not
    assert ag.facts_in("/workspace/django__django__3.0 has self.cols, e.g. np.array") == {
        "/workspace/django__django__3.0",
        "self.cols",
        "np.array",
    }


def test_holds_finds_whole_tokens_only() -> None:
    assert ag.holds("see /repo/pkg/util_helpers.py:12", "util_helpers.py")
    assert ag.holds("see /repo/pkg/util_helpers.py:12", "/repo/pkg/util_helpers.py")
    assert not ag.holds("code 41205", "4120") and not ag.holds("v 4120.5", "4120")
    assert ag.holds("code 4120.", "4120")
    assert not ag.holds("parse_values()", "parse_value") and ag.holds("x.parse_value()", "parse_value")
    assert not ag.holds("/other/repo/pkg/core.py", "/repo/pkg/core.py")


def test_later_facts_are_written_later_and_seen_before_only_in_tool_outputs() -> None:
    body = session()
    points = ag.points(body["messages"])
    assert points == [(0.5, 6), (0.75, 8)]  # cut before assistant turns 3 and 4 of 4
    facts = ag.later_facts(body, 6)
    assert {"KeyError", "line 17", "parse_value", "/repo/pkg/util_helpers.py", "4120"} <= facts
    assert "/repo/pkg/core.py" not in facts  # in the task: never needed from a tool output
    assert ag.later_facts(body, 8) == set()  # the last turn names only the task's file
    # before the run: the traceback is not seen yet, so KeyError and line 17 are not needed from it
    assert ag.later_facts(body, 4) == {
        "/repo/pkg/util_helpers.py",
        "util_helpers.py",
        "util_helpers",
        "parse_value",
        "4120",
    }
    assert "parse_value" not in ag.later_facts(body, 6, strict=False) - ag.later_facts(body, 6, strict=True)


def test_facts_the_agent_wrote_itself_are_not_needed_from_a_tool_output() -> None:
    body = session()
    body["messages"][4]["content"] = "parse_value in util_helpers.py looks wrong."  # the agent says it
    strict, lenient = ag.later_facts(body, 6), ag.later_facts(body, 6, strict=False)
    assert "parse_value" in lenient and "util_helpers.py" in lenient
    assert "parse_value" not in strict and "util_helpers.py" not in strict
    assert "/repo/pkg/util_helpers.py" in strict and strict < lenient  # the full path it never wrote


def test_kept_counts_facts_in_contents_and_tool_calls() -> None:
    body = session()
    request = {**body, "messages": body["messages"][:6]}
    facts = ag.later_facts(body, 6)
    assert ag.kept(facts, request) == len(facts)
    masked = ag.observation_masking(request, 10**6, lambda b: 0)
    assert masked == request  # everything fits: nothing masked
    gone = {
        **request,
        "messages": [
            m if m.get("role") != "tool" else {**m, "content": ag.MASK} for m in request["messages"]
        ],
    }
    assert ag.kept(facts, gone) == 0


def test_kept_can_leave_out_the_name_lists_of_the_proxys_markers() -> None:
    body = {
        "messages": [
            {
                "role": "tool",
                "content": "[ctxproxy: output of x omitted (90 tokens); mentions: parse_value, 4120]",
            },
            {
                "role": "user",
                "content": "[… ctxproxy cut 40 tokens of content; mentions: KeyError …]\nline 17",
            },
        ]
    }
    facts = {"parse_value", "4120", "KeyError", "line 17"}
    assert ag.kept(facts, body) == 4
    assert ag.kept(facts, body, marker_lists=False) == 1  # only line 17 stands outside a list


def test_checks_fail_on_a_cut_task_a_changed_newest_output_and_an_orphan() -> None:
    from proxy.compress import violations

    request = {**session(), "messages": session()["messages"][:6]}
    assert ag.task_verbatim(request, request) and ag.newest_output_verbatim(request, request)
    cut_task = json.loads(json.dumps(request))
    cut_task["messages"][1]["content"] = "Fix the bug please."
    assert not ag.task_verbatim(request, cut_task)
    cut_out = json.loads(json.dumps(request))
    cut_out["messages"][5]["content"] = "Traceback: [cut]"
    assert not ag.newest_output_verbatim(request, cut_out)
    orphan = {**request, "messages": [m for i, m in enumerate(request["messages"]) if i != 4]}
    assert violations("openai-chat", orphan) and not violations("openai-chat", request)


def counter_of(body: dict[str, Any]) -> int:
    return len(json.dumps(body["messages"])) // 4


def test_observation_masking_keeps_the_newest_output_and_cuts_the_next_to_fill() -> None:
    request = {**session(), "messages": session()["messages"][:6]}
    all_masked = ag.observation_masking(request, 0, counter_of)
    budget = counter_of(all_masked) + 300  # room for the newest output and part of the one before
    out = ag.observation_masking(request, budget, counter_of)
    assert counter_of(out) <= budget
    tools = [m["content"] for m in out["messages"] if m.get("role") == "tool"]
    assert tools[1] == request["messages"][5]["content"]
    older = request["messages"][3]["content"]
    assert tools[0] != ag.MASK and tools[0].endswith("[… cut]") and len(tools[0]) < len(older)
    assert tools[0].startswith(older[:50])


def test_keep_last_never_starts_on_a_tool_result() -> None:
    request = {**session(), "messages": session()["messages"][:8]}
    budget = counter_of(request) - 50
    out = ag.keep_last(request, budget, counter_of, fill=False)
    assert counter_of(out) <= budget
    assert out["messages"][:2] == request["messages"][:2]
    assert out["messages"][2]["role"] == "assistant"


def test_keep_last_fills_the_size_with_the_turn_before_its_outputs_cut() -> None:
    request = {**session(), "messages": session()["messages"][:8]}
    budget = counter_of(request) - 100
    whole = ag.keep_last(request, budget, counter_of, fill=False)
    filled = ag.keep_last(request, budget, counter_of)
    assert counter_of(whole) < counter_of(filled) <= budget
    assert [m.get("tool_call_id") for m in filled["messages"] if m.get("role") == "tool"] == [
        "c1",
        "c2",
        "c3",
    ]
    first = next(m for m in filled["messages"] if m.get("role") == "tool")
    assert first["content"].endswith("[… cut]") and first["content"].startswith("/repo/pkg/util_helpers.py")
    from proxy.compress import violations

    assert not violations("openai-chat", filled)


# -- the copied OpenHands sessions -----------------------------------------------------------------
@pytest.mark.parametrize("name", ["django__django-10973", "django__django-11163", "astropy__astropy-13033"])
def test_real_sessions_have_points_and_later_needed_facts(name: str) -> None:
    body = json.loads((DATA / f"{name}.json").read_text())
    points = ag.points(body["messages"])
    assert [f for f, _ in points] == [0.5, 0.75]
    for _, cut in points:
        assert body["messages"][cut]["role"] == "assistant"
        request = {**body, "messages": body["messages"][:cut]}
        assert ag.task_verbatim(body, request) and ag.newest_output_verbatim(request, request)
    assert ag.later_facts(body, points[0][1], strict=False)  # the agent reuses what its tools told it
    for _, cut in points:  # what it saw only there is a part of that
        assert ag.later_facts(body, cut) <= ag.later_facts(body, cut, strict=False)


# -- the whole run, on a generated conversation ----------------------------------------------------
async def test_measure_compresses_and_scores_every_method() -> None:
    from proxy.compress import TokenCounter
    from tests.bench.reader.conversations import METHODS, Cell, measure, targets
    from tests.bench.reader.dialogue import generated

    d = generated("friends", 1)
    d = Dialogue(d.name, d.speakers, d.sessions, d.turns, d.questions[:8])
    counter = TokenCounter()
    await counter.warm()
    cell = Cell()
    await measure(d, "named", "aggressive", counter, cell)
    assert cell.conversations == 1 and 0.1 < cell.size[0] < 0.5
    for method in METHODS:
        assert cell.recall[method].values or cell.recall[method].skipped == 8
    assert cell.attribution.evidence > 0 and cell.attribution.matched > 0
    assert max(cell.recall["ctxproxy"].values) > 0
    assert 0.1 < cell.size_budget[0] and cell.size_budget[0] > cell.size[0]  # the input budget < the window
    assert len(targets({("generated friends", "named"): cell})) == 3


async def test_measure_with_the_output_added_to_the_window_reads_size_against_the_tokens() -> None:
    """``--window tokens+4096``: the input budget is about the conversation's tokens, so both
    size readings agree; the default window leaves a quarter of it to the output."""
    from proxy.compress import TokenCounter
    from tests.bench.reader.conversations import Cell, measure
    from tests.bench.reader.dialogue import generated

    d = generated("friends", 1)
    d = Dialogue(d.name, d.speakers, d.sessions, d.turns, d.questions[:4])
    counter = TokenCounter()
    await counter.warm()
    plain, plus = Cell(), Cell()
    await measure(d, "named", "aggressive", counter, plain)
    await measure(d, "named", "aggressive", counter, plus, output=4096)
    assert plain.size_budget[0] > 1.1 * plain.size[0]
    assert abs(plus.size_budget[0] - plus.size[0]) < 0.05 * plus.size[0]
    assert plus.size[0] > 1.1 * plain.size[0]  # more room reaches the digest


async def test_a_larger_target_and_summary_share_give_the_digest_more_room() -> None:
    from proxy.compress import TokenCounter
    from tests.bench.reader.conversations import Cell, measure
    from tests.bench.reader.dialogue import generated

    d = generated("friends", 1)
    d = Dialogue(d.name, d.speakers, d.sessions, d.turns, d.questions[:4])
    counter = TokenCounter()
    await counter.warm()
    preset, wide = Cell(), Cell()
    await measure(d, "named", "aggressive", counter, preset, output=4096)
    await measure(d, "named", "aggressive", counter, wide, output=4096, target=0.5, share=0.9)
    assert wide.size[0] > 1.3 * preset.size[0]


async def test_real_session_points_compress_valid_under_balanced() -> None:
    from proxy.compress import TokenCounter
    from tests.bench.reader.sessions import load_session, run_session, targets

    counter = TokenCounter()
    await counter.warm()
    points = await run_session(
        "django__django-10973", load_session(DATA / "django__django-10973.json"), ["balanced"], counter
    )
    assert [p.fraction for p in points] == [0.5, 0.75]
    for p in points:
        assert p.size < 1.0 and p.paired and p.task
        assert set(p.baselines) == {"observation masking", "keep-last", "keep-last, filled"}
        assert p.kept <= p.facts
    assert targets(points)[0].startswith("- facts kept at 0.5, balanced:")
