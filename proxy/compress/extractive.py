"""Offline extractive summarizer: deterministic, no LLM, updated incrementally.

Sentences are scored by the patterns of :mod:`salient` (numbers, paths, errors, decisions, ...)
plus the number of rare words they hold (words found in at most two sentences of the dropped
span: specific facts, unlike boilerplate). The summary is a header, one bullet per salient sentence (``- role: sentence``) and an
``Artifacts:`` trail. A new summary is the previous bullets plus the bullets of the newly
dropped messages; when over budget, the lowest-scoring bullets go first (oldest first on ties),
so nothing is regenerated from scratch and unchanged bullets keep their exact text.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter

from proxy.compress import salient
from proxy.compress.summarizer import SUMMARY_HEADER, DroppedMessage, SummaryRequest

_COUNT = re.compile(r"\((\d+) messages? compacted\)")
_ARTIFACTS = "Artifacts: "
_PER_MESSAGE = 4
_MAX_ARTIFACTS = 40
_OFFLOAD_CHARS = 200_000
_MIN_SCORE = 2
_SHORT_REQUEST = 400  # characters
_RARE_DF = 2  # a word in at most max(this, 1 % of the span's sentences) counts as specific
_RARE_WEIGHT = 2
_RARE_CAP = 3
_PUNCT = ".,;:!?()[]{}<>\"'`*"


def estimate_tokens(text: str) -> int:
    """A deliberately high character-based estimate (≈3.2 chars per token)."""
    return int(len(text) / 3.2) + 1


def _words(sentence: str) -> set[str]:
    return {w for w in (t.strip(_PUNCT).lower() for t in sentence.split()) if len(w) >= 4 and w.isalpha()}


def _document_frequency(dropped: tuple[DroppedMessage, ...]) -> tuple[Counter[str], int]:
    """In how many sentences of the dropped span each word appears, and the rarity cut-off.

    A word is rare (specific: a name, a component, a fact) when it appears in at most 1 % of
    the span's sentences (at least 2): boilerplate repeats, facts do not.
    """
    df: Counter[str] = Counter()
    n = 0
    for msg in dropped:
        for sent in salient.sentences(msg.text):
            df.update(_words(sent))
            n += 1
    return df, max(_RARE_DF, n // 100)


def _score(sentence: str, df: tuple[Counter[str], int]) -> int:
    counts, cutoff = df
    rare = sum(1 for w in _words(sentence) if counts[w] <= cutoff)
    return salient.score(sentence) + _RARE_WEIGHT * min(_RARE_CAP, rare)


def _bullets_for(msg: DroppedMessage, df: tuple[Counter[str], int]) -> list[tuple[int, str]]:
    who = f"tool {msg.tool_name}" if msg.tool_name else msg.role
    picked = [(sc, s[:400]) for s in salient.sentences(msg.text) if (sc := _score(s, df)) >= _MIN_SCORE]
    if msg.role == "user":
        first = salient.sentences(msg.text)[:1]
        short = len(msg.text) <= _SHORT_REQUEST  # a short user message is an instruction: keep it
        if short and first:
            head = first[0][:400]
            picked = [(_score(first[0], df) + 3, head), *((sc, s) for sc, s in picked if s != head)]
        picked = [(sc + 1, s) for sc, s in picked]
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
    """Bullets kept from the previous summary: pattern score plus credit for having survived."""
    bonus = 1 if line.startswith("- user:") else 0
    return salient.score(line) + bonus + _RARE_WEIGHT


def build_summary(request: SummaryRequest) -> str:
    count, bullets, arts = _parse_previous(request.previous)
    scored = [(_bullet_score(b), b) for b in bullets]
    seen_lines = set(bullets)
    seen_arts = set(arts)
    df = _document_frequency(request.dropped)
    for msg in request.dropped:
        for sc, line in _bullets_for(msg, df):
            if line not in seen_lines:
                scored.append((sc, line))
                seen_lines.add(line)
        for a in salient.artifacts(msg.text, limit=8, numbers=False):
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
