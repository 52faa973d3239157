"""MassGen message surgery shared by the massgen and cut stages: find the sections, digest a
``<CONVERSATION_HISTORY>`` body, shorten ``<agentN.M>`` answer bodies with their labels kept."""

from __future__ import annotations

import re
from collections.abc import Callable

from proxy.compress.digest import build_summary
from proxy.compress.stages.text_ops import shrink_to
from proxy.compress.summarizer import SUMMARY_HEADER, DroppedMessage, SummaryRequest

HISTORY = re.compile(r"(<CONVERSATION_HISTORY>)(.*?)(<END OF CONVERSATION_HISTORY>)", re.S)
ANSWER = re.compile(r"(<(agent\d+\.\d+)>)(.*?)(<end of \2>)", re.S)
MARKERS = ("<CONVERSATION_HISTORY>", "<CURRENT ANSWERS", "<ORIGINAL MESSAGE>")


def is_massgen(text: str) -> bool:
    return any(m in text for m in MARKERS)


_TURN = re.compile(
    r"(?:^|\n)[ \t]*(User|Assistant|Human|AI|System)[ \t]*:[ \t]*|\[(user|assistant|system)\][ \t]*",
    re.I,
)
_LABELLED = re.compile(r"<(agent\d+\.\d+)>(.*?)<end of \1>", re.S)


def history_turns(body: str) -> tuple[DroppedMessage, ...]:
    """The turns of a ``<CONVERSATION_HISTORY>`` body (``User:`` / ``Assistant:`` lines, or
    ``[user]`` / ``[assistant]`` markers): user turns are required (their question is kept),
    an answer inside ``<agentN.M> … <end of agentN.M>`` is attributed to that agent."""
    marks = list(_TURN.finditer(body))
    if not marks:
        return (DroppedMessage("history", body),)
    out: list[DroppedMessage] = []
    if body[: marks[0].start()].strip():
        out.append(DroppedMessage("history", body[: marks[0].start()]))
    for m, nxt in zip(marks, [*marks[1:], None], strict=True):
        text = body[m.end() : nxt.start() if nxt else len(body)].strip()
        if not text:
            continue
        role = (m.group(1) or m.group(2)).lower()
        role = {"human": "user", "ai": "assistant"}.get(role, role)
        if role == "user":
            out.append(DroppedMessage("user", text, speaker="User", required=True))
            continue
        last = 0
        for block in _LABELLED.finditer(text):
            if text[last : block.start()].strip():
                out.append(DroppedMessage(role, text[last : block.start()], speaker=role.title()))
            out.append(DroppedMessage(role, block.group(2), speaker=block.group(1)))
            last = block.end()
        if text[last:].strip():
            out.append(DroppedMessage(role, text[last:], speaker=role.title()))
    return tuple(out)


def compress_history(text: str, need: int, count: Callable[[str], int]) -> str:
    """Replace the history block's body by a digest about ``need`` tokens smaller (not less)."""
    m = HISTORY.search(text)
    if not m:
        return text
    body = m.group(2)
    size = count(body)
    goal = max(48, size - need - 16)
    if goal >= size:
        return text
    if body.strip().startswith(SUMMARY_HEADER):  # already a digest: compact its oldest lines
        request = SummaryRequest(body.strip(), (), goal, "")
    else:
        request = SummaryRequest(None, history_turns(body), goal, "")
    digest = build_summary(request, count)
    if count(digest) > goal:
        digest = shrink_to(digest, goal, count, "history digest")
    return text[: m.start(2)] + "\n" + digest + "\n" + text[m.end(2) :]


def shorten_answers(text: str, need: int, count: Callable[[str], int]) -> str:
    """Cut the middle of every answer body, labels kept, to save about ``need`` tokens."""
    answers = list(ANSWER.finditer(text))
    if not answers:
        return text
    sizes = [count(a.group(3)) for a in answers]
    total = sum(sizes)
    keep_total = max(16 * len(answers), total - need)
    share = keep_total / max(total, 1)
    out: list[str] = []
    last = 0
    for a, size in zip(answers, sizes, strict=True):
        keep = max(16, int(size * share))
        body = a.group(3)
        if size > keep:
            body = shrink_to(body, keep, count, f"{a.group(2)} answer")
        out.append(text[last : a.start(3)] + body)
        last = a.end(3)
    out.append(text[last:])
    return "".join(out)
