"""What the fast path remembers from a conversation's earlier bodies: the last model per first
bytes (:class:`proxy.server.skim.ModelHints`), and recorded prefixes so that only a next body's
new part is skimmed (:mod:`proxy.server.skim_memo`), read as the full skim reads it, per agent,
bounded in count and bytes.
"""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from proxy.server.skim import ModelHints, skim
from tests.unit.server.skimkit import IMAGE, TOOLS, parsed, same


def test_model_hints_remember_the_last_model_per_first_bytes() -> None:
    hints = ModelHints(max_size=2)
    pad = b"x" * 40_000
    a, b, c = b'{"model":"a",' + pad, b'{"model":"b",' + pad, b'{"model":"c",' + pad
    assert hints.get(a) is None
    hints.put(a, "a")
    hints.put(a + b"more", "a2")  # same first bytes: the last model wins
    assert hints.get(a) == "a2"
    hints.put(b, "b")
    hints.put(c, "c")  # full: forgets all, keeps the newest
    assert hints.get(a) is None and hints.get(c) == "c"
    hints.put(b'{"model":"small"}', "small")  # a small body skims in microseconds: no hint
    assert hints.get(b'{"model":"small"}') is None


def _history(turns: int) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = [{"role": "system", "content": 'You answer "model" questions. ' * 40}]
    for t in range(turns):
        items.append({"role": "user", "content": [{"type": "text", "text": f"turn {t} " * 200}, IMAGE]})
        items.append({"role": "assistant", "content": f"done {t} ]" * 150})
    return items


LAYOUTS = {
    "model first": lambda items, **kw: {"model": "gpt-4.1", "messages": items, "stream": False, **kw},
    "sdk order, tools last": lambda items, **kw: {
        "messages": items,
        "model": "gpt-4.1",
        **kw,
        "tools": TOOLS,
    },
    "items last": lambda items, **kw: {"model": "gpt-4.1", **kw, "messages": items},
}


@pytest.mark.parametrize("layout", LAYOUTS)
def test_the_next_turn_reads_from_the_recorded_prefix_as_the_full_skim_does(layout: str) -> None:
    from proxy.server.skim_memo import Checkpoints

    make = LAYOUTS[layout]
    memo = Checkpoints()
    first = orjson.dumps(make(_history(12)))
    assert memo.skim("openai-chat", first, "") == (None, True)  # nothing recorded yet
    assert memo.record("openai-chat", first, orjson.loads(first))
    resend = memo.skim("openai-chat", first, "")
    assert resend == (same("openai-chat", first), False) and resend[0].images == 12
    # the newest items may still change (a client moving its cache breakpoint): the prefix
    # stops two items before the end of the list
    moved = make(_history(12))
    moved["messages"][-1]["content"] += " (cache breakpoint moved)"
    raw = orjson.dumps(moved)
    assert memo.skim("openai-chat", raw, "") == (same("openai-chat", raw), False)
    for extra in ({}, {"max_tokens": 700_000}, {"model": "gpt-4o-mini"}):
        nxt = orjson.dumps({**make(_history(14)), **extra})
        read = memo.skim("openai-chat", nxt, "")
        if read[0] is None:  # a changed model before the items: the prefix is not this body's
            assert "model" in extra and layout != "sdk order, tools last"
            continue
        assert read == (same("openai-chat", nxt), False) and read[0].images == 14
    longer = orjson.dumps(make(_history(40)))  # much more after the prefix than in it: record anew
    assert memo.skim("openai-chat", longer, "") == (same("openai-chat", longer), True)


def test_a_rewritten_earlier_item_or_a_new_part_that_does_not_decode_is_skimmed_whole() -> None:
    from proxy.server.skim_memo import Checkpoints

    memo = Checkpoints()
    first = orjson.dumps({"model": "gpt-4.1", "messages": _history(12)})
    assert memo.record("openai-chat", first, orjson.loads(first))
    rewritten = _history(13)
    rewritten[1]["content"][0]["text"] = "changed"
    raw = orjson.dumps({"model": "gpt-4.1", "messages": rewritten})
    # a miss: record the new body after its send, twice in a row, then only every 16th time
    assert [memo.skim("openai-chat", raw, "") for _ in range(4)] == [(None, True), (None, True)] + [
        (None, False)
    ] * 2
    bad_item = first[:-2] + b",5]}"  # a new item that is not an object
    assert memo.skim("openai-chat", bad_item, "")[0] is None and skim("openai-chat", bad_item, "") is None
    not_json = first[:-2] + b",{]}"
    assert memo.skim("openai-chat", not_json, "")[0] is None


def test_a_repeated_item_list_after_the_prefix_never_counts_fewer_parts() -> None:
    from proxy.server.skim_memo import Checkpoints

    memo = Checkpoints()
    first = orjson.dumps({"model": "gpt-4.1", "messages": _history(12), "stream": True})
    assert memo.record("openai-chat", first, orjson.loads(first))
    again = first[:-1] + b',"messages":[{"role":"user","content":[' + orjson.dumps(IMAGE) + b"]}]}"
    read = memo.skim("openai-chat", again, "")[0]
    assert read is not None and read.images >= parsed("openai-chat", again).images == 1


def test_a_bracket_outside_the_item_list_is_never_taken_for_its_end() -> None:
    from proxy.server.skim_memo import Checkpoints

    # the tools' closing bracket is followed by what follows the items in the parsed body
    body = {"messages": _history(12), "tools": [{"x": 1}], "model": "m"}
    raw = orjson.dumps(body).replace(b'"tools":[{"x":1}]', b'"tools":[{"x":1}],"model":"decoy"')
    memo = Checkpoints()
    memo.record("openai-chat", raw, {"messages": body["messages"], "tools": 1, "model": "m"})
    nxt = raw  # whatever was recorded, the reading is the full skim's
    assert memo.skim("openai-chat", nxt, "")[0] in (None, same("openai-chat", nxt))


def _agent(name: str, turns: int) -> bytes:
    """A body of one of several agents sharing a system prompt (their first bytes are equal)."""
    system = {"role": "system", "content": "You are one agent of a team. " * 3 + name}
    return orjson.dumps({"messages": [system, *_history(turns)], "model": "gpt-4.1"})


def test_agents_sharing_their_first_bytes_each_keep_a_prefix() -> None:
    from proxy.server.skim_memo import PER_HEAD, Checkpoints

    memo = Checkpoints()
    names = [f"agent {i}" for i in range(3)]
    assert len({_agent(n, 12)[:64] for n in names}) == 1
    for n in names:  # each agent's first body: nothing matches yet, so each is recorded
        first = _agent(n, 12)
        assert memo.skim("openai-chat", first, "")[1]
        assert memo.record("openai-chat", first, orjson.loads(first))
    assert len(memo) == 3
    for turns in (13, 14, 15):  # interleaved next turns: every agent reads from its own prefix
        for n in names:
            nxt = _agent(n, turns)
            assert memo.skim("openai-chat", nxt, "") == (same("openai-chat", nxt), False)
    newer = _agent(names[0], 40)  # a newer prefix of the same conversation replaces its older one
    assert memo.record("openai-chat", newer, orjson.loads(newer))
    assert len(memo) == 3
    assert memo.skim("openai-chat", _agent(names[1], 16), "")[0] is not None
    for i in range(PER_HEAD + 4):  # at most PER_HEAD per first bytes: the least recently used go
        other = _agent(f"other {i}", 12)
        memo.record("openai-chat", other, orjson.loads(other))
    assert len(memo) == PER_HEAD
    assert memo.skim("openai-chat", _agent(names[1], 17), "")[0] is None


def test_the_prefixes_are_bounded_in_bytes() -> None:
    from proxy.server.skim_memo import Checkpoints

    bodies = [_agent(f"agent {i}", 12) for i in range(4)]
    memo = Checkpoints(max_bytes=2 * len(bodies[0]))  # room for two prefixes
    for raw in bodies:
        memo.record("openai-chat", raw, orjson.loads(raw))
    assert 1 <= len(memo) <= 2
    assert memo.skim("openai-chat", _agent("agent 3", 13), "")[0] is not None  # the newest stays
