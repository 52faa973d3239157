"""Agent ids as docs/quickstart.md ("Tag your agents") describes them."""

from __future__ import annotations

import re

from proxy.server.identity import clean_agent_id


def test_plain_ids_are_kept_and_others_become_a_short_hash() -> None:
    for plain in ("coder", "agent_a", "team.a:1@host-2", "a" * 64):
        assert clean_agent_id(plain) == plain
    for odd in ("my agent", "team/a", "a" * 65, "é"):
        hashed = clean_agent_id(odd)
        assert re.fullmatch(r"agent-[0-9a-f]{12}", hashed), hashed
        assert clean_agent_id(odd) == hashed  # stable: the same agent keeps its row in /stats
    assert clean_agent_id("my agent") != clean_agent_id("my  agent")
