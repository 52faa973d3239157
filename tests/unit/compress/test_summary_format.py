"""One summary format: both summarizers write it, one parser reads either one's output."""

from __future__ import annotations

from proxy.compress.digest import parse_previous
from proxy.compress.llm_summarizer import SECTIONS, assemble, split_previous
from proxy.compress.summarizer import DroppedMessage, SummaryRequest
from proxy.compress.summary_format import SUMMARY_HEADER, count_line, parse_summary

DIGEST = "\n".join(
    [
        f"{SUMMARY_HEADER} Digest, oldest first: [date] speaker: facts (| separates turns).",
        "- [3 May 2024] user: deploy v2.4 | assistant: staging first",
        "- [4 May 2024] tool run: build failed at /srv/app/main.py",
        "Artifacts: /srv/app/main.py, v2.4",
        count_line(7),
    ]
)


def test_count_line_singular_and_plural() -> None:
    assert count_line(1) == "(1 message compacted)" and count_line(3) == "(3 messages compacted)"


def test_parse_digest_format() -> None:
    parts = parse_summary(DIGEST)
    assert parts.count == 7
    assert parts.artifacts == ["/srv/app/main.py", "v2.4"]
    assert parts.lines == DIGEST.splitlines()[1:3]  # header, trail and count line are not body


def test_parse_llm_format_written_by_assemble() -> None:
    request = SummaryRequest(None, (DroppedMessage("user", "Open /srv/app/x.py now"),), 200, "gpt-4o")
    body = "\n".join(f"{s}: -" for s in SECTIONS[:2])
    text = assemble(request, body, 4, [])
    parts = parse_summary(text)
    assert text.splitlines()[0] == f"{SUMMARY_HEADER} {count_line(5)}"
    assert parts.count == 5 and "/srv/app/x.py" in parts.artifacts
    assert parts.lines[:2] == body.splitlines()


def test_each_summarizer_reads_the_others_output() -> None:
    count, body, arts = split_previous(DIGEST)
    assert (count, arts) == (7, ["/srv/app/main.py", "v2.4"])
    assert body.startswith("- [3 May 2024] user: deploy v2.4")
    llm_text = f"{SUMMARY_HEADER} {count_line(2)}\nGoal: ship v2.4\nArtifacts: a.py"
    prev = parse_previous(llm_text)
    assert prev.count == 2 and prev.artifacts == ["a.py"]
    assert [(e.label, e.body) for e in prev.entries] == [("earlier", "Goal: ship v2.4")]


def test_empty_or_missing_summary() -> None:
    assert parse_summary(None).count == 0 and parse_summary("").lines == []
    assert split_previous(None) == (0, "", [])
