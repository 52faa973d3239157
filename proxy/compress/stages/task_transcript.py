"""A first user message that is a transcript of the conversation, not a task.

A chat client that merges runs of turns into one message sends the conversation's first turns
as the first user message: ``8 May 2023 Caroline: Hey Mel!`` / ``Melanie: Hey!`` / … for forty
lines. Protected as a task, that message would stay verbatim at the digest's expense. When
it is a long transcript (see :func:`transcript`), the summarize stage folds its
transcript lines into the digest as the oldest turns and leaves a marker in their place (the
lines before and after the transcript stay), provided the conversation goes on with the same
speakers. An agent's task (an instruction, an issue, even one written as ``Expected:`` /
``Actual:`` lines, which tool calls follow) is not folded, nor is a MassGen message (its own
stage digests its history).
"""

from __future__ import annotations

from collections import Counter

from proxy.compress.chat_lines import stamped_lines
from proxy.compress.json_export import one_per_line
from proxy.compress.speakers import display_name, speaker_prefix, without_prefix
from proxy.compress.stages.base import StageContext
from proxy.compress.stages.massgen_text import is_massgen
from proxy.compress.summarizer import DroppedMessage

MIN_LINES = 8  # labelled lines a transcript has at least
MIN_TOKENS = 300  # a shorter first message costs little verbatim: it stays whole
LOOKAHEAD = 8  # later user/assistant messages searched for the transcript's speakers
MARKER = "[ctxproxy: the {n} lines of conversation this message held are in the digest that follows]"


def speakers_in(text: str) -> set[str]:
    """The ``Name:`` labels opening ``text``'s lines (after any date stamp)."""
    return {n for _, rest in stamped_lines(text.split("\n")) if (n := speaker_prefix(rest)) is not None}


def _continued(ctx: StageContext, names: frozenset[str]) -> bool:
    """Whether the conversation goes on with the transcript's speakers: a later user or
    assistant message (of the next ``LOOKAHEAD``) names one of them (``name`` field or a
    line's label). A task written as ``Expected:`` / ``Actual:`` lines is followed by tool
    calls and replies, not by more of those lines."""
    seen = 0
    for slot in ctx.slots[1:]:
        for msg in slot.group.messages:
            if msg.role not in ("user", "assistant") or msg.opaque:
                continue
            name = msg.raw.get("name")
            texts = [seg.text for seg in msg.segments if seg.kind == "text"]
            if (isinstance(name, str) and display_name(name) in names) or any(
                speakers_in(t) & names for t in texts
            ):
                return True
            seen += 1
            if seen >= LOOKAHEAD:
                return False
    return False


def transcript(text: str) -> tuple[int, int, frozenset[str]] | None:
    """Where the transcript in ``text`` starts and ends, when ``text`` holds one: from its
    first labelled line (or the date line just before it) to the end of its last labelled
    line, at least ``MIN_LINES`` lines opening with ``Name:`` (after any date stamp), by two
    speakers or more with two lines each, making at least half of the span's non-blank lines
    (the lines under a line that is only a name and its stamp, ``Caroline, [08.05.23 13:56]``,
    up to a blank line, are that turn's text). What follows the last turn (an instruction
    after a pasted transcript) is not part of it. With the speakers' names; ``None`` when
    ``text`` holds no transcript."""
    offset = 0
    start = end = -1
    previous: tuple[int, bool] = (0, False)  # the last non-blank line: offset, only a date
    labels: list[str] = []
    lines = 0  # non-blank lines from the first labelled line to the last
    since = 0  # non-blank lines since the last labelled line
    below = False  # the lines after a ``Name, [stamp]`` line are its turn's text, up to a blank line
    rows = text.split("\n")
    for line, (day, rest) in zip(rows, stamped_lines(rows), strict=True):
        if line.strip():
            name = speaker_prefix(rest)
            if name is not None:
                if start < 0:
                    start = previous[0] if previous[1] else offset
                labels.append(name)
                lines += since + 1
                since = 0
                end = offset + len(line)
                below = not without_prefix(rest).strip()
            elif below:
                end = offset + len(line)
            elif start >= 0:
                since += 1
            previous = (offset, day is not None and not rest.strip())
        else:
            below = False
        offset += len(line) + 1
    if start < 0 or len(labels) < MIN_LINES or 2 * len(labels) < lines:
        return None
    if sum(1 for n in Counter(labels).values() if n >= 2) < 2:
        return None
    return start, end, frozenset(labels)


def fold_task_transcript(ctx: StageContext) -> tuple[DroppedMessage, ...]:
    """Fold the transcript of the first user message into the digest's span: edit the message
    to a marker between its lines before and after the transcript, and return the transcript as the span's
    oldest messages. Only on a first compaction (an earlier summary already holds it), and
    only when a later user turn follows (a single user message is the request itself)."""
    if ctx.summary is not None or not ctx.slots:
        return ()
    slot = ctx.slots[0]
    if not slot.protected or not slot.group.has_user_turn:
        return ()
    if not any(s.group.has_user_turn for s in ctx.slots[1:]):
        return ()  # the only user message is the request itself: never rewritten to reach the target
    folded: list[DroppedMessage] = []
    for mi, msg in enumerate(slot.group.messages):
        if msg.role != "user" or msg.opaque:
            continue
        for seg in msg.segments:
            if not seg.editable or seg.kind != "text" or is_massgen(seg.text):
                continue  # (a MassGen message's history is the massgen stage's)
            text = one_per_line(seg.text)  # a pasted chat export: a message a line
            found = transcript(text)
            if found is None or ctx.tokens_of(text[found[0] : found[1]]) < MIN_TOKENS:
                continue
            start, end, names = found
            body = text[start:end]
            if not _continued(ctx, names):
                continue  # labelled lines the conversation does not go on with: a task
            marker = MARKER.format(n=sum(1 for line in body.split("\n") if line.strip()))
            current = next(s for s in ctx.slots[0].group.messages[mi].segments if s.path == seg.path)
            ctx.edit(0, mi, current, text[:start] + marker + text[end:])
            folded.append(DroppedMessage("user", body))  # its lines name their speakers
        break  # the first user message only
    return tuple(folded)
