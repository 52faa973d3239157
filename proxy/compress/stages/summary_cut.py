"""The anchored summary shortened by whole lines: the cut stage's very last resort.

A reader never sees a line of the summary cut in its middle. Whole lines go from the middle
out (a reader asks about any part of the span), the first line after them; then the
``Artifacts:`` trail loses its oldest names (in a tool session the names are what an agent
types later; a tool output's digest line says little), and the newest line goes last (before
the names, when they alone cannot pay). The header line and the closing ``(N messages
compacted)`` line stay, and one marker line stands where the lines went. A heading
(``## Errors``) goes with the last line under it. Only a line longer than the whole goal (a
summary written as one line) is cut in its middle.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from proxy.compress.digest import HEADER as DIGEST_HEADER
from proxy.compress.stages.text_ops import shrink_to
from proxy.compress.summary_format import ARTIFACTS, COUNT, SUMMARY_HEADER

Count = Callable[[str], int]


@dataclass
class _Summary:
    """A summary split for cutting: the header, the other lines, the trail's names, and what
    has gone so far (body line indices, the number of the trail's names from its front)."""

    head: str
    rest: list[str]
    trail: int | None
    names: list[str]
    gone: set[int] = field(default_factory=set)
    names_gone: int = 0

    @classmethod
    def read(cls, summary: str) -> _Summary:
        head, *rest = summary.split("\n")
        trail = next((i for i, s in enumerate(rest) if s.startswith(ARTIFACTS)), None)
        names = [n for n in rest[trail][len(ARTIFACTS) :].split(", ") if n] if trail is not None else []
        return cls(head, rest, trail, names)

    def body(self) -> list[int]:
        """The lines that may go, in the order they go: from the middle out (head 60 %, tail
        40 %, as a cut keeps), then the first, the newest last; neither the trail nor the
        closing count line, nor a heading (it goes with the lines under it)."""
        lines = [
            i
            for i, s in enumerate(self.rest)
            if i != self.trail and s.strip() and not _closing(s) and not s.startswith("#")
        ]
        middle = len(lines) * 3 // 5
        inner = sorted(range(1, len(lines) - 1), key=lambda k: abs(k - middle))
        ends = [lines[0], lines[-1]] if len(lines) > 1 else lines
        return [lines[k] for k in inner] + ends

    def render(self) -> str:
        lines = sum(1 for i in self.gone if self.rest[i].strip())
        marker: list[str] = []
        if lines or self.names_gone:
            what = f"{lines} line{'' if lines == 1 else 's'}" if lines else ""
            names = f"{self.names_gone} name{'' if self.names_gone == 1 else 's'}"
            what = f"{what} and {names}" if lines and self.names_gone else what or names
            marker = [f"[… ctxproxy cut {what} of summary …]"]
        at = min(self.gone, default=-1)  # the marker stands where lines went (else after the header)
        out = [self.head, *(marker if at < 0 else [])]
        for i, line in enumerate(self.rest):
            if i == at:
                out += marker
            if i == self.trail:
                if self.names[self.names_gone :]:
                    out.append(ARTIFACTS + ", ".join(self.names[self.names_gone :]))
            elif i not in self.gone and not (line.startswith("#") and self._emptied(i)):
                out.append(line)
        return "\n".join(out)

    def _emptied(self, heading: int) -> bool:
        """Every line under this heading went (and it had some)."""
        under: list[int] = []
        for j in range(heading + 1, len(self.rest)):
            if self.rest[j].startswith("#") or j == self.trail or _closing(self.rest[j]):
                break
            under.append(j)
        return bool(under) and all(j in self.gone or not self.rest[j].strip() for j in under)


def _closing(line: str) -> bool:
    return line.startswith("(") and COUNT.fullmatch(line.strip()) is not None


def shrink_summary(summary: str, goal: int, count: Count) -> str:
    """``summary`` in at most ``goal`` tokens by whole lines and whole names (see the module);
    when even its header and count line alone are over, the digest's header keeps only its
    first words; a line longer than ``goal`` itself is the one case cut in its middle."""
    if count(summary) <= goal:
        return summary
    s = _Summary.read(summary)
    order = s.body()
    cost = {i: count(s.rest[i]) + 1 for i in order}
    name_cost = [count(n) + 1 for n in s.names]
    text = summary
    for _ in range(8):  # each round takes what the real count says is still over
        over = count(text) - goal
        if over <= 0 or not _take(s, over + (12 if text == summary else 2), order, cost, name_cost):
            break
        text = s.render()
    if count(text) > goal and s.head == DIGEST_HEADER:  # nothing left for it to describe
        s.head = SUMMARY_HEADER
        text = s.render()
    if count(text) > goal and any(count(line) > goal for line in text.split("\n")):
        return shrink_to(text, goal, count, "summary")
    return text


def _take(s: _Summary, need: int, order: list[int], cost: dict[int, int], name_cost: list[int]) -> bool:
    """Mark about ``need`` tokens gone: the lines in ``order`` but the newest, then the trail's
    oldest names (the newest line before them when they alone cannot pay). Whether anything
    went."""
    lines = [i for i in order if i not in s.gone]
    taken = 0
    for i in lines[:-1]:
        s.gone.add(i)
        taken += cost[i]
        if taken >= need:
            return True
    if lines and taken + sum(name_cost[s.names_gone :]) < need:
        s.gone.add(lines[-1])
        taken += cost[lines[-1]]
    while taken < need and s.names_gone < len(s.names):
        taken += name_cost[s.names_gone]
        s.names_gone += 1
    return taken > 0
