"""Offline extractive summarizer: deterministic, no LLM, updated incrementally.

The summary is a header, one bullet per salient sentence (``- role: sentence``) and an
``Artifacts:`` trail. A new summary is the previous bullets plus the bullets of the newly
dropped messages; when over budget, the lowest-scoring bullets go first (oldest first on ties),
so nothing is regenerated from scratch and unchanged bullets keep their exact text.
"""

from __future__ import annotations

import asyncio
import re

from proxy.compress import salient
from proxy.compress.summarizer import SUMMARY_HEADER, DroppedMessage, SummaryRequest

_COUNT = re.compile(r"\((\d+) messages? compacted\)")
_ARTIFACTS = "Artifacts: "
_PER_MESSAGE = 4
_MAX_ARTIFACTS = 40
_OFFLOAD_CHARS = 200_000


def estimate_tokens(text: str) -> int:
    """A deliberately high character-based estimate (≈3.2 chars per token)."""
    return int(len(text) / 3.2) + 1


def _bullets_for(msg: DroppedMessage) -> list[tuple[int, str]]:
    who = f"tool {msg.tool_name}" if msg.tool_name else msg.role
    picked = salient.salient_sentences(msg.text, min_score=2)
    if msg.role == "user":
        first = salient.sentences(msg.text)[:1]
        if first and all(first[0][:400] != s for _, s in picked):
            picked.insert(0, (salient.score(first[0]) + 3, first[0][:400]))
        picked = [(sc + 2, s) for sc, s in picked]
    if len(picked) > _PER_MESSAGE:
        keep = sorted(range(len(picked)), key=lambda i: (-picked[i][0], i))[:_PER_MESSAGE]
        picked = [picked[i] for i in sorted(keep)]
    return [(sc, f"- {who}: {' '.join(s.split())}") for sc, s in picked]


def _parse_previous(text: str | None) -> tuple[int, list[str], list[str]]:
    if not text:
        return 0, [], []
    count = 0
    bullets: list[str] = []
    arts: list[str] = []
    for line in text.splitlines():
        m = _COUNT.search(line)
        if m and not bullets:
            count = int(m.group(1))
        elif line.startswith("- "):
            bullets.append(line)
        elif line.startswith(_ARTIFACTS):
            arts = [a for a in line[len(_ARTIFACTS) :].split(", ") if a]
    return count, bullets, arts


def _bullet_score(line: str) -> int:
    bonus = 2 if line.startswith("- user:") else 0
    return salient.score(line) + bonus


def build_summary(request: SummaryRequest) -> str:
    count, bullets, arts = _parse_previous(request.previous)
    scored = [(_bullet_score(b), b) for b in bullets]
    seen_lines = set(bullets)
    seen_arts = set(arts)
    for msg in request.dropped:
        for sc, line in _bullets_for(msg):
            if line not in seen_lines:
                scored.append((sc, line))
                seen_lines.add(line)
        for a in salient.artifacts(msg.text, limit=8):
            if a not in seen_arts:
                arts.append(a)
                seen_arts.add(a)
    arts = arts[-_MAX_ARTIFACTS:]
    count += len(request.dropped)
    header = f"{SUMMARY_HEADER} ({count} messages compacted). Salient points, oldest first:"
    trail = _ARTIFACTS + ", ".join(arts) if arts else ""

    def render(lines: list[tuple[int, str]]) -> str:
        parts = [header, *(line for _, line in lines)]
        if trail:
            parts.append(trail)
        return "\n".join(parts)

    budget = max(64, request.max_tokens)
    text = render(scored)
    if estimate_tokens(text) <= budget:
        return text
    # Drop the weakest bullets (oldest first on ties) until the summary fits its budget.
    order = sorted(range(len(scored)), key=lambda i: (scored[i][0], i))
    size = estimate_tokens(text)
    removed: set[int] = set()
    for i in order:
        if size <= budget:
            break
        removed.add(i)
        size -= estimate_tokens(scored[i][1]) - 1
    kept = [s for i, s in enumerate(scored) if i not in removed]
    text = render(kept)
    while estimate_tokens(text) > budget and trail:
        arts = arts[len(arts) // 2 + 1 :]
        trail = _ARTIFACTS + ", ".join(arts) if arts else ""
        text = render(kept)
    return text[: int(budget * 3.2)]


class ExtractiveSummarizer:
    """The default summarizer: salient sentences + artifact trail, no network, no model."""

    name = "extractive"

    async def summarize(self, request: SummaryRequest) -> str:
        if sum(len(m.text) for m in request.dropped) > _OFFLOAD_CHARS:
            return await asyncio.to_thread(build_summary, request)
        return build_summary(request)
