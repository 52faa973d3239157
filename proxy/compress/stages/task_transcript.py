"""A first user message that is a transcript of the conversation, not a task.

A chat client that merges runs of turns into one message sends the conversation's first turns
as the first user message: ``8 May 2023 Caroline: Hey Mel!`` / ``Melanie: Hey!`` / … for forty
lines. Protected as a task, that message would stay verbatim at the digest's expense. When
it is a long transcript (see :func:`transcript_start`), the summarize stage folds its
transcript lines into the digest as the oldest turns and leaves, in their place, the lines
before the transcript and a marker. An agent's task (an instruction, an issue, a few labelled
lines) never has the shape, nor has a MassGen message (its own stage digests its history).
"""

from __future__ import annotations

from collections import Counter

from proxy.compress.dates import line_stamp
from proxy.compress.speakers import speaker_prefix
from proxy.compress.stages.base import StageContext
from proxy.compress.stages.massgen_text import is_massgen
from proxy.compress.summarizer import DroppedMessage

MIN_LINES = 8  # labelled lines a transcript has at least
MIN_TOKENS = 1_000  # a shorter first message costs little verbatim: it stays whole
MARKER = "[ctxproxy: the {n} lines of conversation this message held are in the digest that follows]"


def transcript_start(text: str) -> int | None:
    """Where the transcript in ``text`` starts (the offset of its first labelled line), when
    ``text`` holds one: at least ``MIN_LINES`` lines opening with ``Name:`` (after any date
    stamp), by two speakers or more with two lines each, and labelled lines making at least
    half of the non-blank lines from the first of them on. ``None`` otherwise."""
    offset = 0
    start: int | None = None
    labels: list[str] = []
    lines = 0
    for line in text.split("\n"):
        if line.strip():
            name = speaker_prefix(line_stamp(line)[1])
            if name is not None:
                if start is None:
                    start = offset
                labels.append(name)
            if start is not None:
                lines += 1
        offset += len(line) + 1
    if start is None or len(labels) < MIN_LINES or 2 * len(labels) < lines:
        return None
    if sum(1 for n in Counter(labels).values() if n >= 2) < 2:
        return None
    return start


def fold_task_transcript(ctx: StageContext) -> tuple[DroppedMessage, ...]:
    """Fold the transcript of the first user message into the digest's span: edit the message
    to its lines before the transcript and a marker, and return the transcript as the span's
    oldest messages. Only on a first compaction (an earlier summary already holds it)."""
    if ctx.summary is not None or not ctx.slots:
        return ()
    slot = ctx.slots[0]
    if not slot.protected or not slot.group.has_user_turn:
        return ()
    folded: list[DroppedMessage] = []
    for mi, msg in enumerate(slot.group.messages):
        if msg.role != "user" or msg.opaque:
            continue
        for seg in msg.segments:
            if not seg.editable or seg.kind != "text" or is_massgen(seg.text):
                continue  # (a MassGen message's history is the massgen stage's)
            start = transcript_start(seg.text)
            if start is None or ctx.tokens_of(seg.text[start:]) < MIN_TOKENS:
                continue
            body = seg.text[start:]
            marker = MARKER.format(n=sum(1 for line in body.split("\n") if line.strip()))
            current = next(s for s in ctx.slots[0].group.messages[mi].segments if s.path == seg.path)
            ctx.edit(0, mi, current, seg.text[:start] + marker)
            folded.append(DroppedMessage("user", body))  # its lines name their speakers
        break  # the first user message only
    return tuple(folded)
