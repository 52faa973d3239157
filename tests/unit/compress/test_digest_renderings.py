"""Dates and speakers however a client renders a conversation, and units a reader can use.

Fixtures written for these tests (two friends, Priya and Tom, over three sessions), rendered
the ways real clients send conversations: merged turns with a header line inside a message,
a timestamp on every turn, the ``name`` field with session lines, a chat export, bare roles.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest

from proxy.compress import DroppedMessage, SummaryRequest
from proxy.compress.dates import format_date, line_stamp
from proxy.compress.digest import build_summary
from proxy.compress.digest_units import make_units
from proxy.compress.relative_dates import resolve_relative
from proxy.compress.stages import CutStage
from proxy.compress.stages.summarize import describe_call, dropped_messages
from proxy.compress.units import estimate_tokens
from proxy.wire import get_adapter
from tests.unit.compress.stagekit import stage_kit

# (session date-time, [(speaker, text)]): the facts a reader will ask about.
SESSIONS = [
    (
        dt.datetime(2023, 5, 8, 13, 56),
        [
            ("Priya", "Hi Tom! I adopted a greyhound called Pesto from the shelter on Saturday."),
            ("Tom", "Brilliant! I started pottery classes at the Kiln Street studio."),
            ("Priya", "How long have you been married now?"),
            ("Tom", "Seven years in August."),
        ],
    ),
    (
        dt.datetime(2023, 6, 9, 19, 55),
        [
            ("Tom", "I ran the Brighton half marathon in 1:52 last Sunday."),
            ("Priya", "I quit my job at Halden Bank and joined a robotics startup."),
            ("Tom", "You've got guts!"),
            ("Priya", "I went to a lantern festival in Bath yesterday."),
        ],
    ),
    (
        dt.datetime(2024, 3, 3, 9, 5),
        [
            ("Priya", "Pesto learned to open the fridge, which is a problem."),
            ("Tom", "My sister Ines moved to Lisbon in January."),
        ],
    ),
]
DAYS = [when.date() for when, _ in SESSIONS]
FACTS = {"Pesto": ("Priya", 0), "pottery": ("Tom", 0), "Brighton": ("Tom", 1), "Halden": ("Priya", 1),
         "lantern": ("Priya", 1), "fridge": ("Priya", 2), "Lisbon": ("Tom", 2)}  # fmt: skip


def locomo_header(when: dt.datetime) -> str:
    hour = when.hour % 12 or 12
    return f"{hour}:{when.minute:02d} {'am' if when.hour < 12 else 'pm'} on {when.day} {when:%B}, {when.year}"


def merged(per: int = 3) -> tuple[DroppedMessage, ...]:
    """Turns merged ``per`` to a message; a session's header on the line before its first turn
    (often a later line of a message)."""
    lines: list[str] = []
    for when, turns in SESSIONS:
        for k, (who, text) in enumerate(turns):
            lines.append((locomo_header(when) + "\n" if k == 0 else "") + f"{who}: {text}")
    return tuple(
        DroppedMessage("user" if (i // per) % 2 == 0 else "assistant", "\n".join(lines[i : i + per]))
        for i in range(0, len(lines), per)
    )


def one_per_turn(line) -> tuple[DroppedMessage, ...]:  # type: ignore[no-untyped-def]
    out = []
    for when, turns in SESSIONS:
        for k, (who, text) in enumerate(turns):
            role = "user" if who == "Priya" else "assistant"
            out.append(DroppedMessage(role, line(when, k, who, text)))
    return tuple(out)


def stamped() -> tuple[DroppedMessage, ...]:
    return one_per_turn(lambda when, k, who, text: f"[{when:%Y-%m-%d %H:%M}] {who}: {text}")


def chatlog() -> tuple[DroppedMessage, ...]:
    return one_per_turn(lambda when, k, who, text: f"{when:%d.%m.%Y, %H:%M}:{k:02d} - {who}: {text}")


def iso_stamped() -> tuple[DroppedMessage, ...]:
    return one_per_turn(lambda when, k, who, text: f"{when:%Y-%m-%dT%H:%M:%S}Z {who}: {text}")


def weekday_headers() -> tuple[DroppedMessage, ...]:
    return one_per_turn(
        lambda when, k, who, text: (f"{when:%a %-d %b %Y %H:%M}\n" if k == 0 else "") + f"{who}: {text}"
    )


def bracket_sessions() -> tuple[DroppedMessage, ...]:
    return one_per_turn(
        lambda when, k, who, text: (
            (f"[Session {DAYS.index(when.date()) + 1} — {when.day} {when:%B %Y}]\n" if k == 0 else "")
            + f"{who}: {text}"
        )
    )


def whatsapp_us() -> tuple[DroppedMessage, ...]:
    """A US phone's chat export: ``5/8/23, 1:56 PM - Priya: text``."""
    return one_per_turn(
        lambda when, k, who, text: (
            f"{when.month}/{when.day}/{when:%y}, {when:%-I}:{when.minute + k:02d} {when:%p} - {who}: {text}"
        )
    )


def clock_turns() -> tuple[DroppedMessage, ...]:
    """A header between rules opens a session, then ``[13:56] Priya: text`` (a time alone)."""
    return one_per_turn(
        lambda when, k, who, text: (
            (f"=== Session {DAYS.index(when.date()) + 1} ({when.day} {when:%B %Y}) ===\n" if k == 0 else "")
            + f"[{when:%H:%M}] {who}: {text}"
        )
    )


def name_first() -> tuple[DroppedMessage, ...]:
    """The stamp after the name, in brackets: ``Priya (08.05.2023, 13:56): text``."""
    return one_per_turn(
        lambda when, k, who, text: f"{who} ({when:%d.%m.%Y}, {when:%H}:{when.minute + k:02d}): {text}"
    )


def named() -> tuple[DroppedMessage, ...]:
    out = []
    for n, (when, turns) in enumerate(SESSIONS, 1):
        for k, (who, text) in enumerate(turns):
            head = f"Session {n} · {when:%A}, {when.day} {when:%B} {when.year}\n" if k == 0 else ""
            out.append(DroppedMessage("user" if who == "Priya" else "assistant", head + text, speaker=who))
    return tuple(out)


RENDERINGS = {
    "merged": merged,
    "merged-long": lambda: merged(per=10),
    "stamped": stamped,
    "chatlog": chatlog,
    "iso": iso_stamped,
    "weekday": weekday_headers,
    "bracket-sessions": bracket_sessions,
    "named": named,
    "whatsapp-us": whatsapp_us,
    "clock": clock_turns,
    "name-first": name_first,
}


def digest_lines(dropped: tuple[DroppedMessage, ...], budget: int = 2000) -> list[str]:
    text = build_summary(SummaryRequest(None, dropped, budget, "gpt-4o"))
    return [line for line in text.splitlines() if line.startswith("- ")]


def digest_segments(lines: list[str]) -> str:
    """The digest's lines without their date labels: what its segments say."""
    return re.sub(r"^- \[[^\]]+\] ", "", "\n".join(lines), flags=re.M)


def assert_read_as_a_chat(dropped: tuple[DroppedMessage, ...], noise: tuple[str, ...]) -> str:
    """Each of :data:`FACTS` attributed (:func:`assert_every_fact_attributed`), and none of
    ``noise`` (a format's framing) in what the digest's segments say, which are returned."""
    lines = digest_lines(dropped)
    assert_every_fact_attributed(lines)
    body = digest_segments(lines)
    for framing in noise:
        assert framing not in body, (framing, body)
    return body


def assert_every_fact_attributed(lines: list[str], label: Callable[[str], str] = str) -> None:
    """Each of :data:`FACTS` is on a digest line of its session's day, in a segment labelled
    with its speaker (``label`` gives the label a speaker is written with)."""
    for word, (who, session) in FACTS.items():
        line = next(line for line in lines if word in line)
        assert line.startswith(f"- [{format_date(DAYS[session])}] "), (word, line)
        segment = next(seg for seg in line.split(" | ") if word in seg)
        assert re.search(rf"(?:^- \[[^\]]+\] |^){re.escape(label(who))}: ", segment), (word, segment)


@pytest.mark.parametrize("rendering", sorted(RENDERINGS))
def test_every_fact_has_its_speaker_and_its_day_in_every_rendering(rendering: str) -> None:
    assert_every_fact_attributed(digest_lines(RENDERINGS[rendering]()))


@pytest.mark.parametrize("rendering", sorted(RENDERINGS))
def test_a_stamp_is_never_content(rendering: str) -> None:
    body = digest_segments(digest_lines(RENDERINGS[rendering]()))
    for noise in (
        "13:56",
        "1:56",
        "2023-05-08",
        "08.05.2023",
        "5/8/23",
        "Session",
        "Mon ",
        "pm on",
        "PM",
        "===",
        "user:",
        "assistant:",
    ):
        assert noise not in body, noise


def test_stamp_formats_and_guards_against_plain_numbers() -> None:
    may8 = dt.date(2023, 5, 8)
    assert line_stamp("1:56 pm on 8 May, 2023") == (may8, "")
    assert line_stamp("29.12.2023, 22:42:04") == (dt.date(2023, 12, 29), "")
    assert line_stamp("2023-05-08") == (may8, "")
    assert line_stamp("2023-05-08T13:56:00Z Tom: hi") == (may8, "Tom: hi")
    assert line_stamp("Session 3 · Friday, 9 June 2023") == (dt.date(2023, 6, 9), "")
    assert line_stamp("[Session 2 — 3 March 2024]") == (dt.date(2024, 3, 3), "")
    assert line_stamp("Mon 9 Jun 2023 14:02") == (dt.date(2023, 6, 9), "")
    assert line_stamp("[2023-05-08 13:56] Caro: on my way") == (may8, "Caro: on my way")
    assert line_stamp("29.12.2023, 22:42:04 - Ana Ruiz: see you") == (
        dt.date(2023, 12, 29),
        "Ana Ruiz: see you",
    )
    assert line_stamp("DATE: 8 May, 2023") == (may8, "")
    assert line_stamp("[Monday 13 February 2023 · session 1]") == (dt.date(2023, 2, 13), "")
    assert line_stamp("Day 3 · Sunday, 9 June 2023") == (dt.date(2023, 6, 9), "")
    for content in ("3 items were left", "2023 was a good year", "12 May 2023 was the day we met",
                    "On 8 May, 2023 we went out", "May I ask?", "10.5 million people", "(2 of 5)",
                    "Friday 14:00", "[ctxproxy: output omitted]"):  # fmt: skip
        assert line_stamp(content) == (None, content), content


def test_chat_export_stamps_decorated_headers_and_a_time_before_a_name() -> None:
    may8 = dt.date(2023, 5, 8)
    # WhatsApp exports: a US phone writes month first with AM/PM and a two-digit year
    assert line_stamp("5/8/23, 1:56 PM - Caroline: hi") == (may8, "Caroline: hi")
    assert line_stamp("[5/8/23, 1:56:12 PM] Caroline: hi") == (may8, "Caroline: hi")
    assert line_stamp("5/8/2023, 1:56 PM - Caroline: hi") == (may8, "Caroline: hi")
    assert line_stamp("08/05/23, 13:56 - Caroline: hi") == (may8, "Caroline: hi")  # day first
    assert line_stamp("[13:56, 8/5/2023] Caroline: hi") == (may8, "Caroline: hi")
    assert line_stamp("12/25/23, 9:01 AM - Ana: merry") == (dt.date(2023, 12, 25), "Ana: merry")
    # headers between rules
    assert line_stamp("=== Session 2 (8 May 2023) ===") == (may8, "")
    assert line_stamp("--- 2023-05-08 ---") == (may8, "")
    # a time of day alone: no date, but neither content nor in the way of the speaker
    assert line_stamp("[13:56] Caroline: hi") == (None, "Caroline: hi")
    assert line_stamp("1:56 PM - Caroline: hi") == (None, "Caroline: hi")
    # the stamp after the name, in brackets
    assert line_stamp("Fahim Khan (29.12.2023, 22:42:04): hi") == (dt.date(2023, 12, 29), "Fahim Khan: hi")
    assert line_stamp("Caroline [8 May 2023, 1:56 pm]: hi") == (may8, "Caroline: hi")
    assert line_stamp("Caroline (1:56 PM): hi") == (None, "Caroline: hi")
    for content in ("Caroline (my friend): hi", "Note (8 May 2023): see above", "Dana (2023): what",
                    "The meeting (8 May 2023): agenda", "def f(x): return x"):  # fmt: skip
        assert line_stamp(content) == (None, content), content
    for content in ("1.2.10 - fixed the parser", "5/8/23 was a Monday", "12/25/23 - Ana: no time, no stamp",
                    "--- a/src/app.py", "=== FAILURES ===", "- 3 apples and 2 pears",
                    "10:30 is when we meet", "13:56 the build broke"):  # fmt: skip
        assert line_stamp(content) == (None, content), content


def test_relative_dates_get_their_calendar_value() -> None:
    day = dt.date(2023, 6, 9)
    assert resolve_relative("I went yesterday", day) == "I went yesterday (8 June)"
    assert resolve_relative("painted it last year", day) == "painted it last year (2022)"
    assert resolve_relative("moved three years ago", day) == "moved three years ago (2020)"
    assert resolve_relative("yesterday", None) == "yesterday"


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


def test_tool_calls_read_as_commands_with_their_result_size_and_placeholders_cost_nothing() -> None:
    call = '{"name": "str_replace_editor", "arguments": "{\\"command\\": \\"view\\", \\"path\\": \\"django/contrib/auth/validators.py\\"}"}'
    described = describe_call(call)
    assert described == "str_replace_editor view django/contrib/auth/validators.py"
    long_arg = '{"name": "edit", "arguments": {"path": "a.py", "file_text": "' + "x = 1\\n" * 40 + '"}}'
    assert describe_call(long_arg) == "edit a.py file_text=…"
    listing = "\n".join(f"{i}\tline {i} of the file" for i in range(1, 27))
    span = (
        DroppedMessage("assistant", "Let me look.\nCalled " + described + ".", calls=(described,)),
        DroppedMessage("tool", listing, tool_name="str_replace_editor"),
        DroppedMessage("assistant", "And the tests.\nCalled run_tests.", calls=("run_tests",)),
        DroppedMessage(
            "tool", "[ctxproxy: output of run_tests omitted (900 tokens); mentions: 1234]", "run_tests"
        ),
        DroppedMessage(
            "tool", "Traceback …\nFile src/app.py, line 88\nKeyError: 'REGION'", tool_name="execute_bash"
        ),
    )
    text = build_summary(SummaryRequest(None, span, 800, "gpt-4o"))
    assert "str_replace_editor view django/contrib/auth/validators.py → 26 lines" in text
    assert "run_tests → " not in text and "ctxproxy: output" not in text
    assert "File src/app.py, line 88" in text and "KeyError: 'REGION'" in text
    assert '{"' not in text  # no condensed JSON


async def test_cut_never_cuts_the_task_or_the_newest_turn_when_the_request_fits_its_budget() -> None:
    task = "Your task is to make the minimal changes to non-test files. " + "Details follow here. " * 120
    msgs = [{"role": "system", "content": "x"}, {"role": "user", "content": task}]
    msgs += [{"role": "assistant", "content": "Working on it. " * 30}, {"role": "user", "content": "Go on."}]
    kit = stage_kit(msgs, target=0.8)  # over the target, well within the input budget
    await kit.run(CutStage())
    items = kit.items()
    assert items[1]["content"] == task and items[-1]["content"] == "Go on."


def test_a_cut_output_names_what_the_cut_part_mentioned() -> None:
    from proxy.compress.stages.text_ops import cut_middle

    middle = (
        " ".join(f"filler{i}" for i in range(400))
        + " raise IntegrityError in django.db.models.base and end_idx"
    )
    text = "HEAD " + middle + " " + "x " * 400 + "TAIL"
    out = cut_middle(text, 100, 1200, "read_file output")
    marker = out[out.index("[… ctxproxy cut") :]
    assert "IntegrityError" in marker and "django.db.models.base" in marker and "end_idx" in marker
    assert cut_middle(text, 100, 1200, "summary").count("mentions") == 0  # a summary's cut names nothing


async def test_the_summary_keeps_its_floor_when_the_protected_turns_overflow() -> None:
    from proxy.compress.stages import SummarizeStage
    from proxy.compress.stages.base import SUMMARY_FLOOR

    big = "Details of the task follow here. " * 200
    msgs = [{"role": "user", "content": big}]
    msgs += [{"role": r, "content": " ".join(f"Turn {i}: we talked about lake {j} trips and cello {i * j}." for j in range(20))}
             for i, r in zip(range(30), ["assistant", "user"] * 15, strict=True)]  # fmt: skip
    msgs += [{"role": "user", "content": big}]
    kit = stage_kit(msgs, target=0.3)  # the protected turns alone overflow the target, not the budget
    assert kit.ctx.protected_total() > kit.ctx.target_raw
    assert SummarizeStage().budget(kit.ctx) >= int(SUMMARY_FLOOR * kit.ctx.target_raw)
    await kit.run(SummarizeStage())
    await kit.run(CutStage())
    items = kit.items()
    assert items[0]["content"] == big and items[-1]["content"] == big  # never cut
    assert kit.ctx.summary is not None
    assert kit.ctx.tokens_of(kit.ctx.summary) >= int(SUMMARY_FLOOR * kit.ctx.target_raw) * 0.8


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


def _call(cid: str, args: str) -> dict[str, object]:
    return {"role": "assistant", "content": None,
            "tool_calls": [{"id": cid, "type": "function", "function": {"name": "edit", "arguments": args}}]}  # fmt: skip


async def test_an_older_recent_group_goes_before_the_task_is_cut_to_fit_the_budget() -> None:
    task = "Fix the parser in src/parse.py. " + "Details of the task follow here. " * 60
    big = '{"old_str": "' + "x = compute(a, b)\\n" * 300 + '"}'  # arguments no stage can cut
    msgs = [{"role": "user", "content": task}, _call("c1", big), {"role": "tool", "tool_call_id": "c1", "content": "ok"},
            _call("c2", '{"path": "src/parse.py"}'), {"role": "tool", "tool_call_id": "c2", "content": "done " * 40}]  # fmt: skip
    kit = stage_kit(msgs, target=0.3)  # the request does not fit its budget; task + newest turn do
    await kit.run(CutStage())
    items = kit.items()
    assert items[0]["content"] == task  # the task stays verbatim
    assert items[-1]["content"] == "done " * 40  # so does the newest output
    assert not any(
        m.get("tool_calls") and m["tool_calls"][0]["id"] == "c1" for m in items
    )  # the older call went
    assert not kit.new_violations()  # with its output: pairs stay valid


def test_a_long_run_of_one_speaker_is_split_into_segments_that_each_name_the_speaker() -> None:
    from proxy.compress.digest_entries import SEGMENT_CHARS, render_units
    from proxy.compress.units import Unit

    text = "adopted greyhound called Pesto shelter Saturday " * 3
    units = [Unit(i, i, "Priya", DAYS[0], f"{text}{i}", ("pesto",), 40) for i in range(4)]
    (entry,) = render_units(units)
    segments = entry.body.split(" | ")
    assert len(segments) > 1 and all(s.startswith("Priya: ") for s in segments)
    assert all(len(s) <= SEGMENT_CHARS + len("Priya: ") + len(text) + 4 for s in segments)


def test_a_masked_file_views_names_reach_the_trail_in_the_order_the_mask_stage_ranked_them() -> None:
    from proxy.compress.stages.mask import placeholder

    view = "Here's the result of running `cat -n` on /srv/app/client.py:\n" + "\n".join(
        f"{i:6}\t{line}"
        for i, line in enumerate(
            [
                "import os",
                "import signal",
                "class DatabaseClient(BaseDatabaseClient):",
                "    def runshell_db(cls, conn_params):",
                "        sigint_handler = signal.getsignal(signal.SIGINT)",
                "        subprocess_env = os.environ.copy()",
            ],
            1,
        )
    )
    masked = placeholder("str_replace_editor", 500, view)
    span = (
        DroppedMessage("assistant", "Let me look.\nCalled view.", calls=("view",)),
        DroppedMessage("tool", masked, tool_name="str_replace_editor"),
    )
    text = build_summary(SummaryRequest(None, span, 800, "gpt-4o"))
    trail = next(line for line in text.split("\n") if line.startswith("Artifacts: "))
    for name in (
        "/srv/app/client.py",
        "runshell_db",
        "sigint_handler",
        "signal.getsignal",
        "os.environ.copy",
    ):
        assert name in trail.removeprefix("Artifacts: ").split(", ")
    assert "ctxproxy: output" not in text


def test_an_overlong_trail_loses_its_oldest_names_first_a_few_at_a_time() -> None:
    span = tuple(
        DroppedMessage(
            "tool", f"[ctxproxy: output of run omitted (90 tokens); mentions: name_{i:02}_a, name_{i:02}_b]"
        )
        for i in range(60)
    )
    text = build_summary(SummaryRequest(None, span, 300, "gpt-4o"))
    trail = next(line for line in text.split("\n") if line.startswith("Artifacts: "))
    names = trail.removeprefix("Artifacts: ").split(", ")
    assert names[-1] == "name_59_b" and "name_00_a" not in names and "name_30_a" not in names
    # Not halved: only as many old names go as the room needs; tool outputs' names get room
    # of their own beside the digest's quarter, within three quarters of it.
    assert 24 <= len(names) and estimate_tokens(trail) <= 300 * 3 // 4


def test_a_name_field_reads_as_the_name_it_stands_for() -> None:
    """The ``name`` field allows no spaces: ``Fahim_Khan`` is written ``Fahim Khan`` in the digest."""
    messages = [{"role": "system", "content": "Chat."}] + [
        {
            "role": "user" if i % 2 == 0 else "assistant",
            "name": "Fahim_Khan" if i % 2 == 0 else "Muhhamed",
            "content": ("Session 1 · Friday, 29 December 2023\n" if i == 0 else "")
            + f"I ran the lakefront trail loop number {i} and took photos",
        }
        for i in range(4)
    ]
    conv = get_adapter("openai-chat").parse({"model": "gpt-4o", "messages": messages})
    lines = digest_lines(dropped_messages(list(conv.groups)))
    assert lines[0].startswith("- [29 December 2023] Fahim Khan: ran lakefront trail loop number 0"), lines
    assert "Muhhamed: " in lines[0] and "Fahim_Khan" not in lines[0]


def test_a_name_written_again_in_the_text_is_not_repeated() -> None:
    """A client that fills the ``name`` field and also opens the text with ``Name:``."""
    span = tuple(
        DroppedMessage(
            "user" if i % 2 == 0 else "assistant",
            ("Session 1 · Monday, 8 May 2023\n" if i == 0 else "")
            + f"{'Priya' if i % 2 == 0 else 'Tom'}: I tried the kayak workshop number {1000 + i} in Leeds",
            speaker="Priya" if i % 2 == 0 else "Tom",
        )
        for i in range(6)
    )
    lines = digest_lines(span)
    assert lines[0].startswith("- [8 May 2023] Priya: tried kayak workshop number 1000"), lines
    assert "Priya: Priya" not in "\n".join(lines) and "Tom: Tom" not in "\n".join(lines)
