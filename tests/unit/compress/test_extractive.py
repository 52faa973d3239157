"""The dense digest (the offline ``extractive`` summarizer) and the salience helpers."""

from __future__ import annotations

import re

from proxy.compress import SUMMARY_HEADER, DroppedMessage, ExtractiveSummarizer, SummaryRequest
from proxy.compress.dates import first_stamp as header_date
from proxy.compress.digest import Entry, compact_oldest, parse_previous
from proxy.compress.extractive import estimate_tokens
from proxy.compress.salient import artifacts
from proxy.compress.units import condense
from tests.unit.compress.chat_sample import SESSION_1, SESSION_2, SESSION_3
from tests.unit.compress.convgen import filler

SPAN = (
    DroppedMessage("user", "Please fix the deploy script. It fails on staging."),
    DroppedMessage("tool", "Traceback: File /srv/app/deploy.py line 88 KeyError: 'REGION'", tool_name="run"),
    DroppedMessage(
        "assistant", filler(1, 200) + ". We decided to pin boto3 to 1.34.2 for the release. " + filler(2, 200)
    ),
)


def entries(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("- ")]


async def digest(previous: str | None, span: tuple[DroppedMessage, ...], budget: int = 400) -> str:
    return await ExtractiveSummarizer().summarize(SummaryRequest(previous, span, budget, "gpt-4o"))


async def test_summary_keeps_salient_sentences_and_artifacts() -> None:
    text = await digest(None, SPAN)
    assert text.startswith(SUMMARY_HEADER) and text.endswith("(3 messages compacted)")
    assert "user: fix deploy script" in text
    assert "tool run: Traceback: File /srv/app/deploy.py line 88 KeyError: 'REGION'" in text
    assert "pin boto3 1.34.2" in text
    assert "Artifacts: /srv/app/deploy.py" in text


async def test_every_entry_is_attributed_to_speaker_and_session_date() -> None:
    text = await digest(None, SESSION_1 + SESSION_2, 600)
    lines = entries(text)
    assert lines and all(re.match(r"- \[\d{1,2} (March|April) 2024\] (Dana|Sam): ", line) for line in lines)
    first = "\n".join(line for line in lines if line.startswith("- [3 March 2024]"))
    assert "Dana: " in first and "cello four years ago" in first and "Sam: " in first
    later = "\n".join(line for line in lines if line.startswith("- [10 March 2024]"))
    assert "moved Leeds" in later and "14 Harrow Road" in later
    assert "Session" not in text  # the session headers became the date labels
    assert '"The Quiet Atlas"' in text  # a quoted title is kept whole


async def test_negations_names_and_numbers_survive_condensing() -> None:
    text = await digest(None, SESSION_1 + SESSION_2, 600)
    assert "never" in text and "not back coast" in text and "no longer drink coffee" in text
    for fact in ("Lake Bled", "Ana", "2019", "12 April", "21 km", "September", "Porto"):
        assert fact in text
    assert condense("Oh wow, I really did not like it at all, honestly.") == "not"
    assert (
        condense("We moved to Leeds in May and I never looked back.") == "moved Leeds May never looked back"
    )


def test_condense_keeps_the_words_that_join_a_name() -> None:
    assert condense("Here is a pic of my favorite Lord of the Rings poster!") == (
        "pic favorite Lord of the Rings poster"
    )
    assert condense("I read Game of Thrones and The Hobbit.") == "read Game of Thrones The Hobbit"
    assert condense("I went to the Bank of America yesterday.") == "went Bank of America yesterday"
    # not between a name and a common word, nor after a comma, nor around "I"
    assert condense("Thanks, Tom and the kids loved it") == "Tom kids loved"
    assert condense("I and Tom went to the lake of my dreams.") == "Tom went lake dreams"


async def test_deterministic_and_appends_keep_existing_entries_byte_identical() -> None:
    first = await digest(None, SESSION_1)
    assert first == await digest(None, SESSION_1)
    second = await digest(first, SESSION_2, 800)
    assert second == await digest(first, SESSION_2, 800)
    old = entries(first)
    assert entries(second)[: len(old)] == old  # the earlier lines, byte for byte, first
    body = "\n".join(first.splitlines()[:-1])  # all but the count line
    assert second.startswith(body)  # the previous digest is a prefix of the new one
    assert second.endswith("(8 messages compacted)")
    assert "moved Leeds" in "\n".join(entries(second)[len(old) :])


async def test_digest_outgrowing_its_budget_compacts_the_oldest_lines_day_then_week() -> None:
    text = await digest(None, SESSION_1, 400)
    text = await digest(text, SESSION_2, 400)
    full = await digest(text, SESSION_3, 400)
    newest = entries(full)[-1]
    assert newest.startswith("- [2 April 2024] ")
    tight = await digest(text, SESSION_3, 170)
    assert estimate_tokens(tight) <= 170
    lines = entries(tight)
    before = entries(text)
    assert before[0].startswith("- [3 March 2024] ") and before[1].startswith("- [10 March 2024] ")
    assert lines[0].startswith(("- [wk ", "- [March 2024] "))  # March became a coarser line …
    assert "Lake Bled" in lines[0] or "Leeds" in lines[0]  # … that still holds some of it
    assert lines[-1].startswith("- [2 April 2024] ")
    # one level at a time: two lines of a day merge first, then the days of a week
    day = [
        Entry("4 March 2024", "Dana: aa bb cc dd ee ff gg"),
        Entry("4 March 2024", "Sam: ii jj kk ll mm nn"),
    ]
    merged = compact_oldest([*day, Entry("5 March 2024", "Dana: qq rr ss")], 30)
    assert [e.label for e in merged] == ["4 March 2024", "5 March 2024"]
    assert merged[1] == Entry("5 March 2024", "Dana: qq rr ss")
    week = compact_oldest(merged, 20)
    assert [e.label for e in week] == ["wk 4 March 2024"]
    assert parse_previous(tight).count == 10


async def test_never_empty_when_something_was_dropped() -> None:
    for span in (SPAN, SESSION_3, (DroppedMessage("user", "ok"),), (DroppedMessage("user", "Hi! Thanks!"),)):
        text = await digest(None, span, 64)
        assert entries(text), text
        assert estimate_tokens(text) <= 64
    one = await digest(None, (DroppedMessage("user", "Deploy to eu-west-3 tonight."),), 64)
    assert one.endswith("(1 message compacted)")


async def test_summary_respects_its_budget() -> None:
    span = tuple(
        DroppedMessage("assistant", f"Note {i}: edited /repo/file{i}.py and it failed with error {i}.")
        for i in range(200)
    )
    text = await digest(None, span, 300)
    assert estimate_tokens(text) <= 300
    assert len(entries(text)) >= 1


def test_session_headers_and_timestamps_are_dates_not_content() -> None:
    assert header_date("[Session 3 — 14 March 2024]\nDana: hi")[1] == "Dana: hi"
    assert str(header_date("2024-03-14 09:12 Sam: on my way")[0]) == "2024-03-14"
    assert header_date("DATE: 8 May, 2023\nhello")[1] == "hello"
    day, rest = header_date("My birthday is on 5 June 2024 and I plan a long trip to the sea.")
    assert day is None and rest.startswith("My birthday")


def test_artifacts_prefer_paths_urls_ids_and_skip_noise() -> None:
    found = artifacts(
        "see https://x.io/a?b=1, ~/notes.md and src/app/main.py; id deadbeef42 run_job 2024-05-01 port 5432"
    )
    assert found[:6] == [
        "https://x.io/a?b=1",
        "~/notes.md",
        "src/app/main.py",
        "deadbeef42",
        "run_job",
        "2024-05-01",
    ]
    assert "5432" in found
    assert artifacts("plain words only here") == []
