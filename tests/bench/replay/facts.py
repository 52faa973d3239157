"""Later-needed facts kept: the paths and identifiers an agent writes in its *later* turns
(its text and tool-call arguments) that the request's older messages contain — not the system
prompt or the task, not its newest ``RECENT`` messages (every strategy keeps those); kept when
the request as sent still contains them. A micro average over every request and fact."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from proxy.compress import salient
from tests.bench.replay.sessions import Msg


def message_text(m: Msg) -> str:
    content = m.get("content")
    parts: list[str] = []
    if isinstance(content, str):
        parts.append(content)
    elif isinstance(content, list):
        parts += [p.get("text", "") for p in content if isinstance(p, dict)]
    for call in m.get("tool_calls") or []:
        fn = call.get("function") or {}
        parts.append(f"{fn.get('name', '')} {fn.get('arguments', '')}")
    return "\n".join(p for p in parts if p)


def _facts(text: str) -> set[str]:
    return {a for a in salient.artifacts(text, limit=200, numbers=False) if len(a) >= 4}


RECENT = 4


@dataclass
class Facts:
    needed: int = 0
    kept: int = 0

    def score(self) -> float:
        return self.kept / self.needed if self.needed else 1.0


class LaterFacts:
    """For one session: the facts each request will need later."""

    def __init__(self, messages: Sequence[Msg]) -> None:
        self.messages = messages
        self.later: list[set[str]] = []  # later[i]: facts of assistant turns at index ≥ i
        acc: set[str] = set()
        for m in reversed(messages):
            if m.get("role") == "assistant":
                acc = acc | _facts(message_text(m))
            self.later.append(acc)
        self.later.reverse()
        self.later.append(set())

    def count(self, cut: int, sent: Sequence[Msg], into: Facts, over: bool) -> None:
        """``over``: the request as written is over the window's trigger (only those count: the
        same requests for every strategy, and the ones where keeping facts is at stake)."""
        future = self.later[cut]
        if not future or not over:
            return
        older = "\n".join(message_text(m) for m in self.messages[2 : max(2, cut - RECENT)])
        given = "\n".join(
            message_text(m) for m in [*self.messages[:2], *self.messages[max(2, cut - RECENT) : cut]]
        )
        needed = {f for f in future if f in older and f not in given}
        if not needed:
            return
        text = "\n".join(message_text(m) for m in sent)
        into.needed += len(needed)
        into.kept += sum(1 for f in needed if f in text)
