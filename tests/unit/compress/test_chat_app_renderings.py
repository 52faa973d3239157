"""Conversations as chat apps copy and log them: the name and its stamp on a line of their own
with the text below (Telegram, Discord, Teams, Slack, a Markdown heading), an IRC log's
``<nick>`` lines under ``Day changed`` headers, a bold name with its stamp in brackets.

The same fixtures as :mod:`rendered_chat` (Priya and Tom over three sessions), written
the way each app writes them: every fact keeps its speaker and its day, no stamp is content,
and a transcript folded into the digest is never cut between a turn's name line and its text.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest

from proxy.compress import DroppedMessage, SummaryRequest
from proxy.compress.dates import line_stamp
from proxy.compress.digest import build_summary
from proxy.compress.speakers import speaker_prefix
from proxy.compress.stages.task_transcript import transcript
from proxy.compress.stages.transcript_fold import fold_in_place, oldest_lines
from proxy.compress.units import estimate_tokens
from tests.unit.compress.rendered_chat import (
    SESSIONS,
    assert_every_fact_attributed,
    digest_lines,
    digest_segments,
    iso_stamped,
    one_per_turn,
    stamped,
)
from tests.unit.compress.transcript_chat import SESSIONS as CHAT_SESSIONS
from tests.unit.compress.transcript_chat import turn

Line = Callable[[dt.datetime, int, str, str], str]


def h12(when: dt.datetime, k: int) -> str:
    return f"{when:%-I}:{when.minute + k:02d} {when:%p}"


def merged_days(header: Callable[[dt.datetime], str], line: Line, per: int = 3) -> tuple[DroppedMessage, ...]:
    """Turns merged ``per`` to a message, each day opened by its ``header`` line."""
    lines: list[str] = []
    for when, turns in SESSIONS:
        lines.append(header(when))
        lines.extend(line(when, k, who, text) for k, (who, text) in enumerate(turns))
    chunks = [lines[i : i + per] for i in range(0, len(lines), per)]
    return tuple(
        DroppedMessage("user" if i % 2 == 0 else "assistant", "\n".join(chunk))
        for i, chunk in enumerate(chunks)
    )


RENDERINGS: dict[str, Callable[[], tuple[DroppedMessage, ...]]] = {
    "telegram": lambda: one_per_turn(lambda w, k, who, text: f"{who}, [{w:%d.%m.%y} {w:%H}:{w.minute + k:02d}]\n{text}"),
    "discord": lambda: one_per_turn(lambda w, k, who, text: f"{who} — {w:%m/%d/%Y} {h12(w, k)}\n{text}"),
    "teams": lambda: one_per_turn(lambda w, k, who, text: f"[{w.month}/{w.day}/{w.year} {h12(w, k)}] {who}:\n{text}"),
    "markdown-heading": lambda: one_per_turn(lambda w, k, who, text: f"### {who} — {w.day} {w:%B %Y}\n{text}"),
    "bold-name": lambda: one_per_turn(lambda w, k, who, text: f"**{who}** ({w.day} {w:%b %Y}, {w:%H:%M}): {text}"),
    "slack": lambda: merged_days(
        lambda w: f"{w:%A}, {w:%B} {w.day}, {w.year}", lambda w, k, who, text: f"{who}  {h12(w, k)}\n{text}"
    ),
    "irc": lambda: merged_days(
        lambda w: f"--- Day changed {w:%a %b %d %Y}", lambda w, k, who, text: f"[{w:%H}:{w.minute + k:02d}] <{who}> {text}"
    ),
}  # fmt: skip


@pytest.mark.parametrize("rendering", sorted(RENDERINGS))
def test_every_fact_has_its_speaker_and_its_day(rendering: str) -> None:
    assert_every_fact_attributed(digest_lines(RENDERINGS[rendering]()))


@pytest.mark.parametrize("rendering", sorted(RENDERINGS))
def test_no_stamp_and_no_role_is_content(rendering: str) -> None:
    body = digest_segments(digest_lines(RENDERINGS[rendering]()))
    for noise in ("13:56", "1:56", "08.05.23", "05/08/2023", "5/8/2023", "PM", "Day changed", "###", "**",
                  "<Priya>", "<Tom>", "user:", "assistant:"):  # fmt: skip
        assert noise not in body, noise


@pytest.mark.parametrize("rendering", ["stamped", "iso", "telegram"])
def test_no_stamp_reaches_the_trail(rendering: str) -> None:
    # the trail lists a span's paths, ids and dates; a stamp is none of them
    dropped = {**RENDERINGS, "stamped": stamped, "iso": iso_stamped}[rendering]()
    text = build_summary(SummaryRequest(None, dropped, 2000, "gpt-4o"))
    assert not re.search(r"20\d\d-\d\d-\d\d|\d\d\.\d\d\.\d\d", text), text
    said = (
        DroppedMessage(
            "user", "[2023-05-08 13:56] Priya: the release is tagged v2.4.1-rc3 in repo acme/deploy-tools"
        ),
    )
    assert "acme/deploy-tools" in build_summary(SummaryRequest(None, said, 2000, "gpt-4o"))


def test_a_name_line_with_its_stamp_and_an_irc_nick() -> None:
    may8 = dt.date(2023, 5, 8)
    assert line_stamp("Caroline, [08.05.23 13:56]") == (may8, "Caroline: ")
    assert line_stamp("Caroline Smith — 05/08/2023 1:56 PM") == (may8, "Caroline Smith: ")
    assert line_stamp("[5/8/2023 1:56 PM] Caroline Smith:") == (may8, "Caroline Smith: ")
    assert line_stamp("### Caroline — 8 May 2023") == (may8, "Caroline: ")
    assert line_stamp("**Caroline** (8 May 2023, 13:56): hi") == (may8, "Caroline: hi")
    assert line_stamp("Caroline  1:56 PM") == (None, "Caroline: ")  # a time alone: a speaker, no day
    assert line_stamp("--- Day changed Mon May 08 2023") == (may8, "")
    assert line_stamp("[13:56] <Caroline> on my way") == (None, "Caroline: on my way")
    assert line_stamp("<@Caroline> on my way") == (None, "Caroline: on my way")
    # content, not a name line: a place and date heading a letter, a time in a note, markup
    for content in ("Berlin, 9 May 2023", "Meeting — 10:30", "Thanks, 10:30", "Lunch 12:30", "Meeting at 1:56 PM",
                    "Note, [08.05.23 13:56]", "Caroline, [08.05.23 13:56] and then some words",
                    "<b>bold</b> text", "<div> x", "Day 3 was fun"):  # fmt: skip
        assert line_stamp(content) == (None, content), content


def test_a_phone_exports_invisible_marks_and_no_break_spaces() -> None:
    dec29 = dt.date(2023, 12, 29)
    # WhatsApp on iOS opens a media line with a left-to-right mark, and writes ``10:42 PM``
    # with a narrow no-break space; a file may open with a byte-order mark
    assert line_stamp("\u200e[29.12.23, 22:42:04] Ana: \u200eimage omitted") == (
        dec29,
        "Ana: \u200eimage omitted",
    )
    assert line_stamp("[12/29/23, 10:42:04\u202fPM] Ana: hi") == (dec29, "Ana: hi")
    assert line_stamp("\ufeff29.12.23, 22:42 - Ana: hi") == (dec29, "Ana: hi")
    assert line_stamp("29.12.23,\xa022:42 - Ana: hi") == (dec29, "Ana: hi")
    assert speaker_prefix(line_stamp("Élodie\xa0: bonjour")[1]) == "Élodie"  # French: a no-break space
    assert line_stamp("\u200fشكرا جزيلا") == (None, "شكرا جزيلا")  # a mark alone is no stamp


def test_contacts_a_phone_names_with_an_emoji_or_a_number() -> None:
    # a group chat's export: one contact saved with an emoji, one unsaved (its phone number)
    contact = {"Priya": "Priya 🌸", "Tom": "+44 7700 900123"}
    lines = digest_lines(
        one_per_turn(
            lambda w, k, who, text: f"{w:%d.%m.%y}, {w:%H}:{w.minute + k:02d} - {contact[who]}: {text}"
        )
    )
    assert_every_fact_attributed(lines, contact.__getitem__)
    assert speaker_prefix("Note 📌: read this") is None and speaker_prefix("+3: x") is None


def telegram_chat() -> str:
    return "\n".join(m.text for m in RENDERINGS["telegram"]())


def test_a_fold_never_cuts_between_a_name_line_and_its_text() -> None:
    lines = telegram_chat().split("\n")
    for goal in range(20, sum(estimate_tokens(x) for x in lines) - 40, 7):
        n = oldest_lines(lines, 0.25, goal, len(lines) - 4)
        assert line_stamp(lines[n])[1].endswith(": "), (goal, lines[n])  # the kept lines open on a name line


def long_telegram_chat(n: int = 160, per_session: int = 40, lines: int = 1) -> str:
    """:mod:`transcript_chat`'s four sessions as copied out of Telegram, each turn's text on
    ``lines`` lines."""
    out = []
    for i in range(n):
        who, text = turn(i).split(": ", 1)
        when = CHAT_SESSIONS[i // per_session] + dt.timedelta(minutes=i % per_session)
        words = text.split(" ")
        step = -(-len(words) // lines)
        body = "\n".join(" ".join(words[k : k + step]) for k in range(0, len(words), step))
        out.append(f"{who}, [{when:%d.%m.%y %H:%M}]\n{body}")
    return "\n".join(out)


@pytest.mark.parametrize("lines", [1, 3])
def test_a_pasted_telegram_chat_folds_with_speakers_and_days(lines: int) -> None:
    text = f"Our chat:\n{long_telegram_chat(lines=lines)}\n\nWhat did Tom do in Bath?"
    assert transcript(text) is not None
    for share in (5, 3, 2):
        new = fold_in_place(text, estimate_tokens(text) // share, estimate_tokens)
        assert new is not None
        digest, kept = new.split(" newest lines follow verbatim]\n", 1)
        labels = re.findall(r"^- \[([^\]]+)\] (\w+): ", digest, flags=re.M)
        assert labels[0] == ("8 May 2023", "Priya") and {who for _, who in labels} <= {"Priya", "Tom"}
        assert "08.05.23" not in digest and "Priya," not in digest  # the name lines are no content
        first = next(line for line in kept.split("\n") if not re.fullmatch(r"\d+ \w+ \d{4}", line))
        assert re.fullmatch(r"(Priya|Tom), \[\d\d\.\d\d\.\d\d \d\d:\d\d\]", first), first
        assert kept.endswith("What did Tom do in Bath?")
