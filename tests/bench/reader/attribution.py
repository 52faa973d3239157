"""*Attributed evidence* (:func:`attribution`), as the reader measures define it: for each evidence turn not kept verbatim, the digest
segment holding most of its content words (a count); content recall (the share of its words in
that segment) × speaker right × day right (same day 1, same month 0.5). Right speaker and right
day are the shares of those turns whose segment names the turn's speaker and carries its day.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from tests.bench.reader.dates import day_score
from tests.bench.reader.dialogue import Dialogue
from tests.bench.reader.reading import Idf, ReadUnit, word_set


@dataclass(slots=True)
class Attribution:
    evidence: int = 0  # evidence turns looked at
    kept: int = 0  # … kept verbatim
    scores: list[float] = field(default_factory=list)  # per turn not kept: content × speaker × day
    speaker: list[bool] = field(default_factory=list)  # per turn not kept: its segment names its speaker
    day: list[bool] = field(default_factory=list)  # … carries its day (same day)
    content: list[float] = field(default_factory=list)  # … share of its words in its segment
    matched: int = 0  # … whose segment holds at least ``CLEAR`` of its words
    speaker_right: int = 0  # … of which the segment names the right speaker
    day_right: int = 0  # … of which the segment's date in force is the turn's day
    # every digest segment, read back to the turn it came from (see segment_attribution)
    segments: int = 0  # segments with a clear source turn
    unclear: int = 0  # segments too short or too mixed to name one source turn
    segment_speaker: int = 0
    segment_day: int = 0


CLEAR = 0.5  # a segment holding this share of a turn's words stands for that turn
MIN_SEGMENT_WORDS = 3


def _same_speaker(label: str | None, speaker: str) -> bool:
    if not label:
        return False
    a, b = label.strip().casefold(), speaker.casefold()
    # a ``name`` field is ``[A-Za-z0-9_-]``: ``García`` is sent as ``Garc_a``, read as ``Garc a``
    return a == b or re.sub(r"[^a-z0-9-]+", "_", a) == re.sub(r"[^a-z0-9-]+", "_", b)


def attribution(d: Dialogue, units: Sequence[ReadUnit], idf: Idf, into: Attribution) -> None:
    """Attributed evidence of one request (``idf`` is used only by :func:`segment_attribution`).

    A turn is kept verbatim when a kept unit's content (after its stamp and label), or its
    first line, is the turn's text; the segment holding most of a turn's content words is the one that holds the
    most of them (a count; the earliest on a tie)."""
    kept = {u.content for u in units if not u.digest}
    kept |= {c.split("\n", 1)[0] for c in kept}  # a turn kept whole, a photo's caption on the line below
    segments = [u for u in units if u.digest]
    seg_words = [word_set(u.content) for u in segments]
    by_id = d.by_id
    for e in sorted({e for q in d.questions for e in q.evidence}):
        turn = by_id.get(e)
        if turn is None:
            continue
        ws = word_set(turn.text)
        if not ws:
            continue
        into.evidence += 1
        if turn.text.strip() in kept:
            into.kept += 1
            continue
        best, best_n = -1, 0
        for i, sw in enumerate(seg_words):
            n = len(ws & sw)
            if n > best_n:
                best, best_n = i, n
        if best < 0:
            into.scores.append(0.0)
            into.content.append(0.0)
            into.speaker.append(False)
            into.day.append(False)
            continue
        seg = segments[best]
        content = best_n / len(ws)
        speaker = _same_speaker(seg.speaker, turn.speaker)
        day = day_score(seg.day, turn.when.date())
        if content >= CLEAR:
            into.matched += 1
            into.speaker_right += speaker
            into.day_right += day == 1.0
        into.content.append(content)
        into.speaker.append(speaker)
        into.day.append(day == 1.0)
        into.scores.append(content * speaker * day)
    segment_attribution(d, segments, idf, into)


def segment_attribution(d: Dialogue, segments: Sequence[ReadUnit], idf: Idf, into: Attribution) -> None:
    """Each digest segment against the turn it came from (the turn holding most of its weighted
    words, at least ``CLEAR`` of them; ``MIN_SEGMENT_WORDS`` words or more): does it name that
    turn's speaker, and carry that turn's day? (A diagnostic beside the issue's measures.)"""
    index: dict[str, list[int]] = {}
    for i, t in enumerate(d.turns):
        for w in word_set(t.text):
            index.setdefault(w, []).append(i)
    for seg in segments:
        ws = word_set(seg.content)
        total = idf.weight(ws)
        if len(ws) < MIN_SEGMENT_WORDS or not total:
            into.unclear += 1
            continue
        weight: dict[int, float] = {}
        for w in sorted(ws):  # (a fixed order: float sums, and so ties, do not vary with the hash seed)
            for i in index.get(w, ()):
                weight[i] = weight.get(i, 0.0) + idf(w)
        if not weight:
            into.unclear += 1
            continue
        best, best_w = min(weight.items(), key=lambda kv: (-kv[1], kv[0]))
        if best_w / total < CLEAR:
            into.unclear += 1
            continue
        turn = d.turns[best]
        into.segments += 1
        into.segment_speaker += _same_speaker(seg.speaker, turn.speaker)
        into.segment_day += day_score(seg.day, turn.when.date()) == 1.0
