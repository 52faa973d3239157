"""What chat exports write beside the turns: a lowercase handle as the speaker (after a
timestamp), a day line without its year (Slack), the app's own lines (WhatsApp's
``<Media omitted>``, ``Ben left``, ``Messages and calls are end-to-end encrypted``), and the
sender's name alone after or under its stamp (DiscordChatExporter, an iMessage export).

The fixtures are :mod:`rendered_chat`'s (Priya and Tom over three sessions).
"""

from __future__ import annotations

import datetime as dt
import re

from proxy.compress import DroppedMessage, SummaryRequest
from proxy.compress.app_lines import is_notice, is_placeholder
from proxy.compress.chat_lines import stamped_lines
from proxy.compress.dates import format_date, line_stamp
from proxy.compress.digest import build_summary
from proxy.compress.speakers import speaker_prefix
from proxy.compress.stages.task_transcript import transcript
from proxy.compress.units import condense
from proxy.compress.yearless import yearless_date
from tests.unit.compress.rendered_chat import (
    FACTS,
    SESSIONS,
    assert_every_fact_attributed,
    digest_lines,
    one_per_turn,
)
from tests.unit.compress.test_chat_app_renderings import merged_days


def test_a_lowercase_handle_after_a_stamp_is_a_speaker() -> None:
    may8 = dt.date(2023, 5, 8)
    assert line_stamp("[2023-05-08 13:56] priya: hi") == (may8, "Priya: hi")
    assert line_stamp("5/8/23, 1:56 PM - tom_k: hi") == (may8, "Tom_k: hi")
    assert line_stamp("[13:56] <priya> on my way") == (None, "Priya: on my way")
    assert line_stamp("[13:56] <@tom> hi") == (None, "Tom: hi")
    assert line_stamp("[2023-05-08 13:56] priya:") == (may8, "Priya: ")  # the text on the next lines
    # without a stamp, ``key: value`` is content; after one, a log's level and a note's label too
    for content in ("priya: hi", "key: value", "<priya> hi", "[13:56] error: disk full", "[13:56] todo: call Ines",
                    "[13:56] <div> x", "[13:56] priya:hi"):  # fmt: skip
        assert line_stamp(content) == (None, content), content
    assert line_stamp("2023-05-08 13:56:02 warn: retrying") == (may8, "warn: retrying")


def test_a_chat_of_lowercase_handles_keeps_every_speaker() -> None:
    handles = {
        "stamped": one_per_turn(lambda w, k, who, text: f"[{w:%Y-%m-%d} {w:%H}:{w.minute + k:02d}] {who.lower()}: {text}"),
        "irc": merged_days(lambda w: f"--- Day changed {w:%a %b %d %Y}",
                           lambda w, k, who, text: f"[{w:%H}:{w.minute + k:02d}] <{who.lower()}> {text}"),
    }  # fmt: skip
    for dropped in handles.values():
        lines = digest_lines(dropped)
        assert_every_fact_attributed(lines)
        assert not re.search(r"\b(?:priya|tom|user|assistant):", "\n".join(lines))


def test_a_day_without_its_year_takes_the_year_its_weekday_names() -> None:
    today = dt.date(2026, 12, 7)
    assert yearless_date("Sunday, January 29th", today) == dt.date(2023, 1, 29)
    assert yearless_date("Monday, May 8th", today) == dt.date(2023, 5, 8)
    assert yearless_date("Mon 9 Jun", today) == dt.date(2025, 6, 9)
    assert yearless_date("Sonntag, 29. Januar", today) == dt.date(2023, 1, 29)
    assert yearless_date("Friday, February 29th", today) == dt.date(2008, 2, 29)  # a leap day
    # never a day after today: this year's 8 May falls on a Monday, but it has not come yet
    assert yearless_date("Monday, May 8th", dt.date(2023, 5, 1)) == dt.date(2017, 5, 8)
    for no_date in ("March 3", "Friday, 13th", "Friday March", "Monday, May 8th or 9th", "Monday, May 32nd"):
        assert yearless_date(no_date, today) is None, no_date
    assert line_stamp("Sunday, January 29th")[0] is not None  # a day line
    assert line_stamp("Sunday, January 29th we went out") == (None, "Sunday, January 29th we went out")


def ordinal(n: int) -> str:
    return f"{n}{'th' if 11 <= n % 100 <= 13 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def test_a_slack_copy_without_years_dates_every_fact() -> None:
    # Slack heads a day of this year with ``Monday, May 8th``: the digest dates each fact with
    # the year that weekday names (the test does not pin which year that is: it depends on today)
    def header(w: dt.datetime) -> str:
        return f"{w:%A}, {w:%B} {ordinal(w.day)}"

    lines = digest_lines(
        merged_days(header, lambda w, k, who, text: f"{who}  {w:%-I}:{w.minute + k:02d} {w:%p}\n{text}")
    )
    for word, (who, session) in FACTS.items():
        when = SESSIONS[session][0]
        day = yearless_date(header(when))
        assert day is not None and (day.month, day.day, day.weekday()) == (
            when.month,
            when.day,
            when.weekday(),
        )
        line = next(line for line in lines if word in line)
        assert line.startswith(f"- [{format_date(day)}] "), (word, line)
        assert re.search(rf"(?:^- \[[^\]]+\] | \| ){who}: [^|]*{word}", line), (word, line)


APP_LINES = [
    "Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them.",
    "Priya created group \"Weekend\"",
    "Tom joined using this group's invite link",
    "Priya added Ines",
    "Ines left",
    "Priya changed the subject to \"Pottery\"",
]  # fmt: skip
PLACEHOLDERS = ["<Media omitted>", "image omitted", "This message was deleted", "Missed voice call",
                "\u200e<attached: 00000012-PHOTO-2023-05-08-13-56-02.jpg>"]  # fmt: skip
CALLS = [
    "\u200eVoice call, \u200e12 min",
    "Video call, No answer",
    "\u200eMissed voice call, \u200eTap to call back",
]


def test_a_chat_apps_own_lines_give_the_digest_nothing() -> None:
    def line(w: dt.datetime, k: int, who: str, text: str) -> str:
        stamp = f"{w.month}/{w.day}/{w:%y}, {w:%-I}:{w.minute + k:02d} {w:%p} - "
        extra = [
            stamp + APP_LINES[(w.day + k) % len(APP_LINES)],
            stamp + f"{who}: {PLACEHOLDERS[k % len(PLACEHOLDERS)]}",
            stamp + f"{who}: {CALLS[k % len(CALLS)]}",  # a call's record
        ]
        return "\n".join([*extra, stamp + f"{who}: {text} <This message was edited>"])

    lines = digest_lines(one_per_turn(line))
    assert_every_fact_attributed(lines)
    body = "\n".join(lines)
    for noise in ("encrypted", "invite", "created", "added", "left", "subject", "omitted", "deleted", "Missed",
                  "attached", "edited", "<", ">", "Voice call", "Video call", "answer"):  # fmt: skip
        assert noise not in body, (noise, body)


def test_what_people_say_about_leaving_or_deleting_stays() -> None:
    assert is_notice("Ines left") and is_notice("You added Ines") and is_placeholder("<Media omitted>")
    for said in (
        "The train left",
        "I left my keys at Ines's place",
        "Ines left the band in May and moved to Lisbon",
    ):
        assert not is_notice(said), said
    assert not is_placeholder("I deleted the photo omitted from the album")
    assert not is_placeholder("Voice call, 12 min and then lunch") and not is_placeholder(
        "I missed your voice call"
    )
    dropped = (
        DroppedMessage("user", "5/8/23, 1:56 PM - Priya: Ines left the band and moved to Lisbon."),
        DroppedMessage(
            "assistant", "5/8/23, 1:57 PM - Tom: This message was deleted by the moderators of the forum."
        ),
        DroppedMessage(
            "user", "[2023-05-08] The bakery on Kiln Street left town."
        ),  # a diary line: no speaker
    )
    text = build_summary(SummaryRequest(None, dropped, 2000, "gpt-4o"))
    for kept in ("Ines left band", "moderators", "bakery"):
        assert kept in text, (kept, text)


def discord_export() -> tuple[DroppedMessage, ...]:
    """DiscordChatExporter's text: ``[5/8/2023 1:56 PM] priya`` above the text, a blank line after."""
    return one_per_turn(
        lambda w, k, who, text: (
            f"[{w.month}/{w.day}/{w.year} {w:%-I}:{w.minute + k:02d} {w:%p}] {who.lower()}\n{text}\n"
        )
    )


def imessage_export() -> tuple[DroppedMessage, ...]:
    """An iMessage export: the stamp on a line, the sender's name on the next, then the text."""
    return one_per_turn(
        lambda w, k, who, text: f"{w:%b %d, %Y} {w:%-I}:{w.minute + k:02d}:07 {w:%p}\n{who}\n{text}\n"
    )


def test_a_senders_name_alone_under_or_after_its_stamp() -> None:
    may8 = dt.date(2023, 5, 8)
    assert line_stamp("[5/8/2023 1:56 PM] priya") == (may8, "Priya: ")
    assert line_stamp("[5/8/2023 1:56 PM] Priya Shah") == (may8, "Priya Shah: ")
    assert line_stamp("[5/8/2023 1:56 PM] priya#1234") == (may8, "Priya: ")
    lines = [
        "May 08, 2023  1:56:12 PM",
        "Priya",
        "I adopted a greyhound.",
        "",
        "May 08, 2023  1:57:02 PM",
        "Me",
        "Nice",
    ]
    assert stamped_lines(lines) == [(may8, ""), (None, "Priya: "), (None, "I adopted a greyhound."), (None, ""),
                                    (may8, ""), (None, "Me: "), (None, "Nice")]  # fmt: skip
    # a reply or a status alone is no sender; nor is a name after a time of day alone or in text
    for content in ("[2023-05-08 10:00] Done", "[2023-05-08 10:00] Thanks", "[13:56] Priya", "Priya"):
        assert speaker_prefix(line_stamp(content)[1]) is None, content
    assert stamped_lines(["May 08, 2023", "Thanks", "for the tea"])[1] == (None, "Thanks")
    assert stamped_lines(["Priya: hi", "Tom"])[1] == (None, "Tom")  # under no stamp
    # a line that goes on after the name is that line, not a name alone
    assert stamped_lines(["1:56 pm on 8 May, 2023", "Priya: I adopted a greyhound."])[1] == (
        None,
        "Priya: I adopted a greyhound.",
    )
    assert line_stamp("[5/8/2023 1:56 PM] priya: hi") == (may8, "Priya: hi")


def test_a_discord_or_imessage_export_keeps_every_speaker_and_day() -> None:
    for dropped in (discord_export(), imessage_export()):
        assert_every_fact_attributed(digest_lines(dropped))


def test_a_pasted_imessage_export_is_a_transcript() -> None:
    chat = "\n".join(m.text for m in imessage_export())
    found = transcript(f"Our chat:\n{chat}\nWhat did Tom do in Bath?")
    assert found is not None and found[2] == {"Priya", "Tom"}


def test_chat_spellings_of_function_words_go_like_the_words_they_spell() -> None:
    # ``gonna`` is ``going to``, ``kinda`` ``kind of``, ``u`` ``you``: they go as those words do
    said = condense("tbh I'm gonna start a pottery class, kinda excited, u should come btw")
    spelled = condense("I'm going to start a pottery class, kind of excited, you should come")
    assert said == spelled == "start pottery class excited"
    assert condense("We watched the Super Bowl at Ines's place") == "watched Super Bowl Ines's place"
    # typed without apostrophes: ``im``, ``thats``, ``ive`` go; a negation (``dont``) stays
    assert condense("im so happy thats done, ive told u i dont care") == "happy done dont care"


def test_a_transcripts_numbered_speakers_and_not_a_headings_number() -> None:
    # a meeting or podcast transcript labels its speakers ``Speaker 1``; ``Step 2:`` heads a list
    for label in ("Speaker 1", "Speaker 12", "Guest 2", "User 3"):
        assert speaker_prefix(f"{label}: so we shipped it") == label
    for heading in ("Step 2: unplug it", "Chapter 3: the storm", "Option 1: wait", "Speaker 123: x"):
        assert speaker_prefix(heading) is None, heading
    lines = digest_lines(
        one_per_turn(
            lambda w, k, who, text: (
                f"[{w:%Y-%m-%d %H:%M}] {'Speaker 1' if who == 'Priya' else 'Speaker 2'}: {text}"
            )
        )
    )
    assert_every_fact_attributed(lines, {"Priya": "Speaker 1", "Tom": "Speaker 2"}.__getitem__)


def test_a_reaction_quoting_a_message_is_not_its_senders_words() -> None:
    # iMessage exports a tapback as the reacting sender's message: ``Loved “<the message>”``
    turns = list(imessage_export())
    priya = turns[0].text.split("\n")[2]  # Priya's first turn: the greyhound called Pesto
    turns.insert(1, DroppedMessage("assistant", f"May 08, 2023 1:56:30 PM\nTom\nLoved “{priya}”\n"))
    turns.insert(2, DroppedMessage("assistant", "May 08, 2023 1:56:40 PM\nTom\nLaughed at “Pesto”\n"))
    lines = digest_lines(tuple(turns))
    assert_every_fact_attributed(lines)
    tom = [seg for line in lines for seg in re.split(r" \| |^- \[[^\]]+\] ", line) if seg.startswith("Tom: ")]
    assert tom and not any("Pesto" in seg or "greyhound" in seg or "Loved" in seg for seg in tom), tom
    assert is_placeholder("Reacted 😂 to “so funny”") and not is_placeholder("Loved the show, it was great")
