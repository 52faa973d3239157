"""Later-needed facts kept, as the reader benchmark defines them for agent sessions
(``tests/bench/reader/agent.py``): at a request, the facts the agent writes
*after* it (its text and tool-call arguments: paths, file names, identifiers, error class
names, ``line N``, numbers of 3+ digits) that, before it, came from tool outputs only (not the
system prompt, the task or the tool definitions). A fact is kept when the request as sent still
contains it (the reader's own test: :func:`tests.bench.reader.agent.kept`). A micro average over every request that is over the window's trigger as
written (the same requests for every strategy) and every fact.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from tests.bench.reader.agent import holds, kept, later_facts, request_text
from tests.bench.replay.missing import Misses, trace
from tests.bench.replay.sessions import Msg


@dataclass
class Facts:
    needed: int = 0
    kept: int = 0
    points: list[float] = field(default_factory=list)  # per request that needs any fact
    misses: Misses | None = None  # when set, each missing fact traced (``--missing``)

    def score(self) -> float:
        """Pooled over every fact of every request (the judged figure)."""
        return self.kept / self.needed if self.needed else 1.0

    def mean(self) -> float:
        """The mean over requests (that need any fact) of each request's share kept."""
        return sum(self.points) / len(self.points) if self.points else 1.0


class LaterFacts:
    """One session's later-needed facts, request by request."""

    def __init__(self, messages: Sequence[Msg], tools: Sequence[Any], name: str = "") -> None:
        self.name = name
        self.body = {"messages": list(messages), "tools": list(tools)}
        self._memo: dict[int, frozenset[str]] = {}

    def count(self, cut: int, sent: Sequence[Msg], into: Facts, over: bool) -> None:
        """``over``: the request as written is over the window's trigger (only those count)."""
        if not over:
            return
        needed = self._memo.get(cut)
        if needed is None:
            needed = self._memo[cut] = later_facts(self.body, cut)
        if not needed:
            return
        n = kept(needed, {"messages": list(sent)})
        into.needed += len(needed)
        into.kept += n
        into.points.append(n / len(needed))
        if into.misses is not None and n < len(needed):
            text = request_text({"messages": list(sent)})
            lost = sorted(f for f in needed if not holds(text, f))
            into.misses.found += trace(self.name, self.body["messages"], cut, sent, lost)
