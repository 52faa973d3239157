"""(d) MassGen-aware sections: compress ``<CONVERSATION_HISTORY>``, keep the original message and
every ``<agentN.M>`` label verbatim, shorten answer bodies only if still needed."""

from __future__ import annotations

import re
from dataclasses import dataclass

from proxy.compress.extractive import build_summary
from proxy.compress.stages.base import StageContext
from proxy.compress.stages.text_ops import shrink_to
from proxy.compress.stages.walk import editable_segments
from proxy.compress.summarizer import DroppedMessage, SummaryRequest

HISTORY = re.compile(r"(<CONVERSATION_HISTORY>)(.*?)(<END OF CONVERSATION_HISTORY>)", re.S)
ANSWER = re.compile(r"(<(agent\d+\.\d+)>)(.*?)(<end of \2>)", re.S)
MARKERS = ("<CONVERSATION_HISTORY>", "<CURRENT ANSWERS", "<ORIGINAL MESSAGE>")


def is_massgen(text: str) -> bool:
    return any(m in text for m in MARKERS)


def compress_history(text: str, need: int, count: object) -> str:
    """Replace the history block's body by an extractive digest ``need`` tokens smaller."""
    m = HISTORY.search(text)
    if not m:
        return text
    body = m.group(2)
    size = count(body)  # type: ignore[operator]
    goal = max(48, size - need - 16)
    if goal >= size:
        return text
    digest = build_summary(SummaryRequest(None, (DroppedMessage("history", body),), goal, ""))
    if count(digest) > goal:  # type: ignore[operator]
        digest = shrink_to(digest, goal, count, "history digest")  # type: ignore[arg-type]
    return text[: m.start(2)] + "\n" + digest + "\n" + text[m.end(2) :]


def shorten_answers(text: str, need: int, count: object) -> str:
    """Cut the middle of every answer body, labels kept, to save about ``need`` tokens."""
    answers = list(ANSWER.finditer(text))
    if not answers:
        return text
    sizes = [count(a.group(3)) for a in answers]  # type: ignore[operator]
    total = sum(sizes)
    keep_total = max(16 * len(answers), total - need)
    share = keep_total / max(total, 1)
    out: list[str] = []
    last = 0
    for a, size in zip(answers, sizes, strict=True):
        keep = max(16, int(size * share))
        body = a.group(3)
        if size > keep:
            body = shrink_to(body, keep, count, f"{a.group(2)} answer")  # type: ignore[arg-type]
        out.append(text[last : a.start(3)] + body)
        last = a.end(3)
    out.append(text[last:])
    return "".join(out)


@dataclass(frozen=True)
class MassGenStage:
    name: str = "massgen"

    async def apply(self, ctx: StageContext) -> None:
        for step in (compress_history, shorten_answers):
            for si, mi, _msg, seg in list(editable_segments(ctx, kinds=("text",), protected=True)):
                if ctx.fits():
                    return
                current = next(s for s in ctx.slots[si].group.messages[mi].segments if s.path == seg.path)
                if not is_massgen(current.text):
                    continue
                new = step(current.text, ctx.excess(), ctx.tokens_of)
                if new != current.text:
                    ctx.edit(si, mi, current, new)
