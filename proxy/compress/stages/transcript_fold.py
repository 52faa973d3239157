"""A transcript that must give way inside its own message: its oldest lines condensed in place.

The cut stage, the last resort, cuts the middle of the largest message left; the task or the
newest turn only when the request would not fit its input budget at all (a pasted chat export
and a question about it, in the request's only message). A message that holds a
conversation's transcript (see :func:`proxy.compress.stages.task_transcript.transcript`)
loses something better instead: its oldest lines become a dated, attributed digest written in
their place, and its newest lines stay verbatim, as do the lines before and after the
transcript (the question). It frees what the cut would have, no more::

    Here is our chat. Who suggested the museum?
    [ctxproxy: the 412 oldest lines of this conversation, condensed. Oldest first: [date] speaker: facts (| separates turns)]
    - [8 May 2023] Caroline: went LGBTQ support group yesterday 7 May; … | Melanie: …
    [ctxproxy: the 188 newest lines follow verbatim]
    9 June 2023
    Caroline: Hey Mel! …

The digest is the offline one (whatever summarizer is configured: this is the last resort, in
the request path, and must not fail), sized so that the message frees what is needed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from itertools import accumulate

from proxy.compress.chat_lines import day_after
from proxy.compress.dates import format_date, line_stamp
from proxy.compress.digest import build_summary
from proxy.compress.json_export import one_per_line
from proxy.compress.speakers import speaker_prefix
from proxy.compress.stages.task_transcript import MIN_TOKENS, transcript
from proxy.compress.summarizer import DroppedMessage, SummaryRequest
from proxy.compress.summary_format import ARTIFACTS, parse_summary

OPEN = "[ctxproxy: the {n} oldest lines of this conversation, condensed. Oldest first: [date] speaker: facts (| separates turns)]"
CLOSE = "[ctxproxy: the {n} newest lines follow verbatim]"
KEEP_LINES = 4  # lines that stay verbatim at least (the newest turns)
DENSITY = 0.3  # the digest's size ÷ the folded lines' when there are lines enough to fold
FRAMING = 64  # tokens of the markers and the date line, about
OFFLOAD_CHARS = 200_000  # a longer text is folded in a thread: the event loop keeps serving
MIN_DIGEST = 32  # tokens a digest needs at least to say anything: less, and the fold is refused


def _digest_lines(
    lines: list[str], budget: int, start: dt.date | None, model: str, count: Callable[[str], int]
) -> list[str]:
    request = SummaryRequest(
        previous=None,
        dropped=(DroppedMessage("user", "\n".join(lines)),),
        max_tokens=budget,
        model=model,
        start_day=start,
    )
    body = parse_summary(build_summary(request, count)).lines
    return [line for line in body if line.strip() and not line.startswith(ARTIFACTS)]


async def fold_off_loop(text: str, need: int, count: Callable[[str], int], model: str = "") -> str | None:
    """:func:`fold_in_place`, in a thread when ``text`` is long (a digest of a pasted chat of a
    million tokens takes seconds)."""
    if len(text) > OFFLOAD_CHARS:
        return await asyncio.to_thread(fold_in_place, text, need, count, model)
    return fold_in_place(text, need, count, model)


def fold_in_place(text: str, need: int, count: Callable[[str], int], model: str = "") -> str | None:
    """``text`` with the oldest lines of its transcript condensed, at least ``need`` tokens
    shorter; ``None`` when it holds no transcript of ``MIN_TOKENS`` or more, or when folding
    all but its newest ``KEEP_LINES`` lines cannot free that much.

    The lines to fold are the fewest whose digest at ``DENSITY`` of their size frees ``need``
    (all but the newest when none are); the digest gets what is left of their size once
    ``need`` is freed. A pasted chat export is written one message a line first
    (:func:`~proxy.compress.json_export.one_per_line`), which frees tokens of its own (counted:
    when they are enough, nothing is condensed). Line sizes are read off the text's count (its
    tokens per character), so the digest is built once, and again (smaller) only when the real
    count falls short."""
    whole = count(text)  # (the cut stage has just counted it: a memo hit)
    written = one_per_line(text)  # a pasted chat export: a message a line (shorter: frees tokens too)
    if written is not text:
        freed = whole - count(written)
        text, whole, need = written, whole - freed, need - freed
        if need <= 0:
            return text  # (writing the export one message a line freed enough)
    per_char = whole / max(1, len(text))
    found = transcript(text)
    if found is None:
        return None
    start, end, _names = found
    if per_char * (end - start) < MIN_TOKENS:
        return None
    lines = text[start:end].split("\n")
    nonblank = [i for i, line in enumerate(lines) if line.strip()]
    if len(nonblank) <= KEEP_LINES:
        return None
    last = nonblank[-KEEP_LINES]  # the folded lines end before this one at the latest
    k = oldest_lines(lines, per_char, (need + FRAMING) / (1 - DENSITY), last)
    before = day_after(text[:start]) if start else None
    budget = int(per_char * sum(len(line) + 1 for line in lines[:k]) - need - FRAMING)
    for _ in range(3):
        if budget < MIN_DIGEST:
            return None
        new = _folded(text, start, end, lines, k, budget, before, model, count)
        short = need - (whole - count(new))
        if short <= 0:
            return new
        budget -= short + 16 + budget // 50  # (the digest may end a few tokens over its budget)
    return None


def _folded(
    text: str,
    start: int,
    end: int,
    lines: list[str],
    k: int,
    budget: int,
    before: dt.date | None,
    model: str,
    count: Callable[[str], int],
) -> str:
    """``text`` with the first ``k`` of its transcript's ``lines`` condensed within ``budget``."""
    folded, kept = lines[:k], lines[k:]
    digest = _digest_lines(folded, budget, before, model, count)
    n = sum(1 for x in folded if x.strip())
    n_kept = sum(1 for x in kept if x.strip())
    middle = [OPEN.format(n=n), *digest, CLOSE.format(n=n_kept), *day_line(folded, kept, before), *kept]
    return text[:start] + "\n".join(middle) + text[end:]


def oldest_lines(lines: list[str], per_char: float, goal: float, limit: int) -> int:
    """How many of a transcript's ``lines``, oldest first, make ``goal`` tokens (at
    ``per_char`` tokens a character): the fewest that do, at most ``limit``, ending where a
    turn ends when one does by ``limit`` (a turn's text on the lines after its ``Name, [stamp]``
    line, or a turn of several lines, is not split)."""
    sizes = accumulate((len(line) + 1) * per_char for line in lines[:limit])
    n = min(limit, next((i + 1 for i, size in enumerate(sizes) if size >= goal), limit))
    return next((k for k in range(n, min(limit, len(lines) - 1) + 1) if _opens_turn(lines[k])), n)


def _opens_turn(line: str) -> bool:
    """Whether ``line`` opens a turn: a date header or stamp, or a ``Name:`` (after one)."""
    day, rest = line_stamp(line)
    return day is not None or speaker_prefix(rest) is not None


def day_line(folded: list[str], kept: list[str], before: dt.date | None) -> list[str]:
    """The date line the ``kept`` lines of a folded transcript open with: the day in force
    after the ``folded`` lines (else ``before`` them), when the first kept line carries no
    stamp of its own; none otherwise."""
    day = day_after("\n".join(folded)) or before
    first = next((x for x in kept if x.strip()), "")
    return [] if day is None or line_stamp(first)[0] else [format_date(day)]
