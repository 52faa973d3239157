"""The replay's trace of a missing later-needed fact: its source, what became of it, its age."""

from __future__ import annotations

from typing import Any

from tests.bench.replay.facts import Facts, LaterFacts
from tests.bench.replay.missing import Misses


def call(i: int, name: str, args: str) -> dict[str, Any]:
    fn = {"name": name, "arguments": args}
    return {
        "role": "assistant",
        "content": "",
        "tool_calls": [{"id": f"c{i}", "type": "function", "function": fn}],
    }


def session() -> list[dict[str, Any]]:
    return [
        {"role": "system", "content": "You are an agent."},
        {"role": "user", "content": "Fix the filter."},
        call(1, "str_replace_editor", '{"command": "view", "path": "/srv/filters.py"}'),
        {"role": "tool", "tool_call_id": "c1", "content": "   1\tpk_qs = model_admin.get_queryset(request)"},
        call(2, "execute_bash", '{"command": "ls -R /srv"}'),
        {"role": "tool", "tool_call_id": "c2", "content": "/srv:\ntest_filters.py\nfilters.py"},
        call(3, "execute_bash", '{"command": "python -m pytest test_filters.py -k pk_qs"}'),
    ]


def test_a_missing_fact_is_traced_to_its_output_and_what_became_of_it() -> None:
    msgs = session()
    facts = Facts(misses=Misses())
    later = LaterFacts(msgs, [], "demo")
    cut = 6  # the request before the last call
    summary = {"role": "user", "content": "[ctxproxy: summary of earlier conversation] …"}
    cut_listing = {
        "role": "tool",
        "tool_call_id": "c2",
        "content": "/srv:\n[… ctxproxy cut 9 tokens of content]",
    }
    sent = [*msgs[:2], summary, msgs[4], cut_listing]  # the view folded, the listing cut
    later.count(cut, sent, facts, over=True)
    assert facts.misses is not None
    found = {m.fact: m for m in facts.misses.found}
    assert found["pk_qs"].fate == "folded" and found["pk_qs"].source == "file view"
    assert found["pk_qs"].age == 1
    assert found["test_filters.py"].fate == "cut" and found["test_filters.py"].source == "listing"
    assert facts.kept == facts.needed - len(found)
    assert any("file view folded 1" in line for line in facts.misses.table())
