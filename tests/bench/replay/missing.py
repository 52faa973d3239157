"""Why a later-needed fact is missing from a request as sent (``bench_replay.py --missing``).

Each missing fact is traced to the newest tool output (before the request) that holds it, and
to what became of that output in the request: *cut* (it is there, shortened), *masked* (a
placeholder stands for it) or *folded* (it is not in the request: the summary took it, or a
baseline dropped it). The source is named by the
call that produced it: a file view (``str_replace_editor``), a listing (``ls``), or another
command; *age* is how many assistant turns ago the output came.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from tests.bench.reader.agent import holds, kind_of
from tests.bench.reader.reading import message_text
from tests.bench.replay.sessions import Msg


@dataclass(frozen=True)
class Miss:
    session: str
    cut: int
    fact: str
    kind: str  # path, file, error, line, number, identifier
    fate: str  # cut, masked, folded
    source: str  # file view, listing, other output
    age: int  # assistant turns since the output


@dataclass
class Misses:
    found: list[Miss] = field(default_factory=list)

    def table(self) -> list[str]:
        """Counts by source and fate, then kind; the facts themselves, once each."""
        out = [f"{len(self.found)} missing (counted once per request that needs them)"]
        by = Counter((m.source, m.fate) for m in self.found)
        out.append("  by source and fate: " + ", ".join(f"{s} {f} {n}" for (s, f), n in by.most_common()))
        kinds = Counter(m.kind for m in self.found)
        out.append("  by kind: " + ", ".join(f"{k} {n}" for k, n in kinds.most_common()))
        ages = sorted(m.age for m in self.found)
        if ages:
            out.append(f"  age (turns): {ages[0]}–{ages[-1]}, median {ages[len(ages) // 2]}")
        facts = Counter((m.session, m.fact, m.source, m.fate) for m in self.found)
        out += [f"  {n} × {f} ({s}: {src}, {fate})" for (s, f, src, fate), n in sorted(facts.items())]
        return out


def _source(call: str) -> str:
    if call.startswith("str_replace_editor"):
        return "file view"
    if call.startswith("execute_bash") and ("ls " in call or "find " in call):
        return "listing"
    return "other output"


def trace(
    session: str, messages: Sequence[Msg], cut: int, sent: Sequence[Msg], missing: list[str]
) -> list[Miss]:
    """A :class:`Miss` for each fact of ``missing`` (not held by ``sent``, the request
    ``messages[:cut]`` as sent)."""
    msgs = list(messages[:cut])
    calls = {
        c.get(
            "id"
        ): f"{(c.get('function') or {}).get('name', '')} {(c.get('function') or {}).get('arguments', '')}"
        for m in msgs
        for c in m.get("tool_calls") or []
    }
    sent_by_id = {m.get("tool_call_id"): message_text(m) for m in sent if m.get("role") == "tool"}
    assistants = [i for i, m in enumerate(msgs) if m.get("role") == "assistant"]
    out: list[Miss] = []
    for fact in missing:
        at = next(
            (
                i
                for i in range(len(msgs) - 1, -1, -1)
                if msgs[i].get("role") == "tool" and holds(message_text(msgs[i]), fact)
            ),
            None,
        )
        if at is None:
            continue
        cid = msgs[at].get("tool_call_id")
        now = sent_by_id.get(cid)
        fate = "folded" if now is None else "masked" if now.startswith("[ctxproxy: output") else "cut"
        age = sum(1 for a in assistants if a > at)
        out.append(Miss(session, cut, fact, kind_of(fact), fate, _source(calls.get(cid, "")), age))
    return out
