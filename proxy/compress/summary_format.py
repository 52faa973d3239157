"""The anchored summary's text format, shared by every summarizer (digest and LLM).

A summary is a header line that starts with :data:`SUMMARY_HEADER`, body lines, an optional
``Artifacts: a, b, …`` trail and a message count ``(N messages compacted)`` — on the header
line (LLM summarizer) or on a closing line of its own (digest). Each summarizer reads the
previous summary with :func:`parse_summary`, whichever summarizer wrote it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

SUMMARY_HEADER = "[ctxproxy: summary of earlier conversation]"
ARTIFACTS = "Artifacts: "
ALSO_MENTIONED = "Also mentioned: "  # names and numbers an LLM summary left out (a body line)
MAX_ARTIFACTS = 128
COUNT = re.compile(r"\((\d+) messages? compacted\)")


def count_line(n: int) -> str:
    return f"({n} message{'' if n == 1 else 's'} compacted)"


def artifacts_line(artifacts: list[str]) -> str:
    return ARTIFACTS + ", ".join(artifacts)


@dataclass(slots=True)
class SummaryParts:
    """A summary read back: its message count, its body lines (in order, blank ones included)
    and its artifact trail."""

    count: int = 0
    lines: list[str] = field(default_factory=list)
    artifacts: list[str] = field(default_factory=list)


def parse_summary(text: str | None) -> SummaryParts:
    """Split a summary into count, body lines and artifacts (header and count lines dropped)."""
    parts = SummaryParts()
    if not text:
        return parts
    for i, line in enumerate(text.splitlines()):
        m = COUNT.search(line)
        if m and (i == 0 or line.startswith("(")):
            parts.count = int(m.group(1))
            if line.startswith("("):  # the digest's closing count line
                continue
        if i == 0 and line.startswith(SUMMARY_HEADER):
            continue
        if line.startswith(ARTIFACTS):
            parts.artifacts = [a for a in line[len(ARTIFACTS) :].split(", ") if a]
        else:
            parts.lines.append(line)
    return parts


def with_names(summary: str, names: list[str]) -> str:
    """``summary`` with ``names`` added to the end of its (newest layer's) ``Artifacts:`` trail,
    each once, the oldest going past :data:`MAX_ARTIFACTS`; a trail of its own before the
    closing count line when it has none."""
    lines = summary.split("\n")
    at = max((k for k, line in enumerate(lines) if line.startswith(ARTIFACTS)), default=-1)
    old = [a for a in lines[at][len(ARTIFACTS) :].split(", ") if a] if at >= 0 else []
    trail = artifacts_line([*old, *(n for n in dict.fromkeys(names) if n not in old)][-MAX_ARTIFACTS:])
    if at >= 0:
        lines[at] = trail
    else:
        end = len(lines) - 1 if len(lines) > 1 and COUNT.fullmatch(lines[-1].strip()) else len(lines)
        lines.insert(end, trail)
    return "\n".join(lines)
