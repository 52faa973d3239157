"""The extractive summarizer and the salience helpers."""

from __future__ import annotations

from proxy.compress import SUMMARY_HEADER, DroppedMessage, ExtractiveSummarizer, SummaryRequest
from proxy.compress.extractive import estimate_tokens
from proxy.compress.salient import artifacts
from tests.unit.compress.convgen import filler

SPAN = (
    DroppedMessage("user", "Please fix the deploy script. It fails on staging."),
    DroppedMessage("tool", "Traceback: File /srv/app/deploy.py line 88 KeyError: 'REGION'", tool_name="run"),
    DroppedMessage(
        "assistant", filler(1, 200) + ". We decided to pin boto3 to 1.34.2 for the release. " + filler(2, 200)
    ),
)


async def test_summary_keeps_salient_sentences_and_artifacts() -> None:
    text = await ExtractiveSummarizer().summarize(SummaryRequest(None, SPAN, 400, "gpt-4o"))
    assert text.startswith(SUMMARY_HEADER) and "(3 messages compacted)" in text
    assert "- user: Please fix the deploy script." in text
    assert "- tool run: Traceback: File /srv/app/deploy.py line 88 KeyError: 'REGION'" in text
    assert "pin boto3 to 1.34.2" in text
    assert "Artifacts: /srv/app/deploy.py" in text


async def test_summary_is_incremental_and_deterministic() -> None:
    s = ExtractiveSummarizer()
    first = await s.summarize(SummaryRequest(None, SPAN[:2], 400, "gpt-4o"))
    later = await s.summarize(
        SummaryRequest(first, (DroppedMessage("user", "Use region eu-west-3, ticket OPS-42?"),), 400, "m")
    )
    assert "(3 messages compacted)" in later
    for line in first.splitlines()[1:-1]:  # every earlier bullet survives verbatim
        assert line in later
    assert "ticket OPS-42?" in later
    again = await s.summarize(
        SummaryRequest(first, (DroppedMessage("user", "Use region eu-west-3, ticket OPS-42?"),), 400, "m")
    )
    assert again == later


async def test_summary_respects_its_budget_dropping_weakest_bullets_first() -> None:
    span = tuple(
        DroppedMessage("assistant", f"Note {i}: edited /repo/file{i}.py and it failed with error {i}.")
        for i in range(200)
    )
    text = await ExtractiveSummarizer().summarize(SummaryRequest(None, span, 300, "gpt-4o"))
    assert estimate_tokens(text) <= 300


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
