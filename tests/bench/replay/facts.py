"""Later-needed facts kept, as the reader benchmark defines them for agent sessions
(``tests/bench/reader/agent.py``): at a request, the facts the agent writes
*after* it (its text and tool-call arguments: paths, file names, identifiers, error class
names, ``line N``, numbers of 3+ digits) that, before it, came from tool outputs only (not the
system prompt, the task or the tool definitions). A fact is kept when the request as sent still
contains it anywhere. A micro average over every request that is over the window's trigger as
written (the same requests for every strategy) and every fact.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tests.bench.reader.agent import later_facts, request_text
from tests.bench.replay.sessions import Msg


@dataclass
class Facts:
    needed: int = 0
    kept: int = 0

    def score(self) -> float:
        return self.kept / self.needed if self.needed else 1.0


class LaterFacts:
    """One session's later-needed facts, request by request."""

    def __init__(self, messages: Sequence[Msg], tools: Sequence[Any]) -> None:
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
        text = request_text({"messages": list(sent)})
        into.needed += len(needed)
        into.kept += sum(1 for f in needed if f in text)
