"""A recent message that is itself a long transcript: only its newest lines are recent turns.

A chat client that merges runs of turns sends the newest forty turns as one message. Kept
verbatim as one of the ``keep_recent_groups`` newest groups, that message can take a third of
an aggressive target, and the digest of everything before it gets that much less room. When
the summarize stage folds every group older than that message and its digest is short of the
room it wants, the message's oldest lines join the span (after the groups before it, so the
digest stays in order): as many as free the room the digest is short of, never its newest
``KEEP_LINES`` (two for each recent group the policy keeps, if more). The message keeps a
marker, a date line when its first kept line has no stamp of its own, and the rest verbatim.
The next recent message goes the same way while the digest is still short of room, oldest
first; the newest message never does::

    [ctxproxy: the 15 older lines of this message are in the digest above]
    22 October 2023
    Melanie: Absolutely! I'm so glad we can always be there for each other.
    …

Only a transcript (:func:`~proxy.compress.stages.task_transcript.transcript`) by speakers
the folded span already names, in a conversation without tool calls; never a MassGen
message. The edit is remembered with the compaction, so the next turns replay it byte for
byte; the digest never reads the marker (:mod:`proxy.compress.digest_units`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from proxy.compress.digest_units import last_day
from proxy.compress.speakers import display_name
from proxy.compress.stages.base import Slot, StageContext
from proxy.compress.stages.massgen_text import is_massgen
from proxy.compress.stages.task_transcript import MIN_TOKENS, speakers_in, transcript
from proxy.compress.stages.transcript_fold import day_line, oldest_lines
from proxy.compress.summarizer import DroppedMessage
from proxy.wire import Segment

MARKER = "[ctxproxy: the {n} older lines of this message are in the digest above]"
WHOLE_MARKER = "[ctxproxy: the {n} lines of conversation this message held are in the digest above]"
KEEP_LINES = 4  # a folded message keeps at least its newest lines …
LINES_PER_GROUP = 2  # … and two for each recent group the policy keeps verbatim
MIN_FOLD = MIN_TOKENS // 2  # tokens of lines folded at least: fewer are not worth a marker
LOOKBACK = 8  # the span's newest messages whose speakers a folded transcript must share
REFOLDS = 3  # times a message folds a few more lines when the digest's need grew with its span

Found = tuple[int, Segment, int, int]  # message index, segment, the transcript's start and end


def _span_speakers(dropped: tuple[DroppedMessage, ...]) -> set[str]:
    """The speakers of the span's newest ``LOOKBACK`` messages: their ``name`` and line labels."""
    recent = dropped[-LOOKBACK:]
    names = {d.speaker for d in recent if d.speaker}
    for d in recent:
        if d.role in ("user", "assistant"):
            names |= speakers_in(d.text)
    return names


def _find(ctx: StageContext, index: int, mi: int, names: set[str], keep: int) -> Found | None:
    """The transcript in message ``mi`` of slot ``index``, by one of ``names``, with more than
    ``keep`` lines."""
    msg = ctx.slots[index].group.messages[mi]
    if not ctx.slots[index].protected or msg.role not in ("user", "assistant") or msg.opaque:
        return None
    for seg in msg.segments:
        if seg.kind != "text" or not seg.editable or is_massgen(seg.text):
            continue
        found = transcript(seg.text)
        if found is None or not (found[2] & names):
            continue
        lines = seg.text[found[0] : found[1]].split("\n")
        if sum(1 for line in lines if line.strip()) > keep:
            return mi, seg, found[0], found[1]
    return None


def _fold(
    ctx: StageContext, index: int, where: Found, keep: int, need: int = 0, before: dt.date | None = None
) -> DroppedMessage | None:
    """Edit slot ``index``: the transcript's oldest lines go, enough to free ``need`` tokens
    (at least ``MIN_FOLD``) but never its newest ``keep`` (``keep`` 0: all of them go); the
    folded lines as the span's message (``None``: too few to be worth it). ``before``: the
    date in force before the message (the kept lines' when the folded ones set none)."""
    mi, seg, start, end = where
    msg = ctx.slots[index].group.messages[mi]
    lines = seg.text[start:end].split("\n")
    nonblank = [i for i, line in enumerate(lines) if line.strip()]
    k = nonblank[-keep] if keep else len(lines)
    if keep:
        k = oldest_lines(lines, ctx.tokens_of(seg.text) / max(1, len(seg.text)), max(need, MIN_FOLD), k)
    folded, kept = lines[:k], lines[k:]
    if keep and ctx.tokens_of("\n".join(folded)) < MIN_FOLD:
        return None
    n = sum(1 for x in folded if x.strip())
    middle = (
        [MARKER.format(n=n), *day_line(folded, kept, before), *kept] if kept else [WHOLE_MARKER.format(n=n)]
    )
    speaker = display_name(name) if isinstance(name := msg.raw.get("name"), str) else None
    ctx.edit(index, mi, seg, seg.text[:start] + "\n".join(middle) + seg.text[end:])
    return DroppedMessage(msg.role, "\n".join(folded), speaker=speaker)


def fold_recent_transcripts(
    ctx: StageContext, index: int, dropped: tuple[DroppedMessage, ...], short: Callable[[], int]
) -> tuple[tuple[DroppedMessage, ...], dict[int, Slot]]:
    """Fold the recent transcripts from slot ``index`` on (the group right after the span),
    oldest first, while ``short()`` (the tokens the digest's room is short of) is positive,
    in a conversation without tool calls; never the newest message. Each gives the oldest
    lines that free what is short, and a few more while the digest's need, which grows with
    its span, is still short. A message folds whole before the next one folds, so the digest
    and the lines kept stay in order. The folded lines, in order, and each edited slot as it was (to undo the
    edits)."""
    if index <= 0 or any(s.group.kind == "tool" for s in ctx.slots):
        return (), {}
    keep = max(KEEP_LINES, LINES_PER_GROUP * ctx.policy.keep_recent_groups)
    names: set[str] | None = None  # read when first needed: most compactions fold nothing
    lines: list[DroppedMessage] = []
    undo: dict[int, Slot] = {}
    done: tuple[int, Found] | None = None  # the message folded last: where, as it was
    at = [(si, mi) for si in range(index, len(ctx.slots)) for mi in range(len(ctx.slots[si].group.messages))]
    for si, mi in at[:-1]:
        need = short()
        if need <= 0:
            break
        names = _span_speakers(dropped) if names is None else names
        where = _find(ctx, si, mi, names, keep)
        if where is None:
            break  # not a transcript: what follows stays, or the digest would run ahead of it
        original, day = ctx.slots[si], last_day((*dropped, *lines))
        folded = _fold(ctx, si, where, keep, need, day)
        if folded is None:
            break
        undo.setdefault(si, original)
        if done is not None:  # the message folded last goes whole: this one's older lines follow it
            whole = _fold(ctx, done[0], done[1], 0)
            lines[-1] = whole if whole is not None else lines[-1]  # (with keep 0: never None)
        for _ in range(REFOLDS):  # the digest's need grew with its span: a few more lines
            more = short()
            if more <= 0:
                break
            need += more
            again = _fold(ctx, si, where, keep, need, day)
            if again is None or again.text == folded.text:
                break  # nothing more to fold here: on to the next message
            folded = again
        lines.append(folded)
        done = (si, where)
    return tuple(lines), undo
