"""Summary layers (earlier summaries kept byte for byte) and Anthropic cache breakpoints."""

from __future__ import annotations

import itertools
from typing import Any

from proxy.compress import Compactor, Limits, TokenCounter, violations
from proxy.compress.breakpoints import place_breakpoints
from proxy.compress.layers import CONTINUED, append_layer, flatten, layers
from proxy.compress.summary_format import SUMMARY_HEADER, parse_summary
from proxy.config import load_settings
from proxy.storage import MemoryKV
from tests.fakes.strict_anthropic import cache_markers
from tests.unit.compress.convgen import to_anthropic
from tests.unit.compress.test_session import session_steps

COUNTER = TokenCounter()
FIRST = f"{SUMMARY_HEADER} Digest.\n- user: read src/a.py\nArtifacts: src/a.py\n(4 messages compacted)"
SECOND = f"{SUMMARY_HEADER} Digest.\n- tool: error in src/b.py\nArtifacts: src/b.py\n(6 messages compacted)"


def test_a_layer_keeps_the_earlier_summary_as_a_prefix() -> None:
    both = append_layer(FIRST, SECOND)
    assert both.startswith(FIRST) and CONTINUED in both and both.count(SUMMARY_HEADER) == 1
    assert layers(both)[0] == FIRST and len(layers(both)) == 2


def test_flatten_reads_every_layer_back_as_one_summary() -> None:
    flat = flatten(append_layer(FIRST, SECOND))
    assert flat is not None and flat.startswith(SUMMARY_HEADER)
    parts = parse_summary(flat)
    assert parts.count == 10 and parts.artifacts == ["src/a.py", "src/b.py"]
    assert [line for line in parts.lines if line.strip()] == [
        "- user: read src/a.py",
        "- tool: error in src/b.py",
    ]
    assert flatten(FIRST) == FIRST and flatten(None) is None


def test_breakpoints_go_after_the_summary_and_on_the_last_message() -> None:
    summary = append_layer(FIRST, SECOND)
    body = {
        "model": "claude-sonnet-4-5",
        "system": "be brief",
        "messages": [
            {
                "role": "user",
                "content": [{"type": "text", "text": "task"}, {"type": "text", "text": summary}],
            },
            {"role": "assistant", "content": "ok"},
            {"role": "user", "content": "go on"},
        ],
    }
    out = place_breakpoints(body, summary)
    first = out["messages"][0]["content"]
    assert [b["text"] for b in first[1:]] == [FIRST, CONTINUED + layers(summary)[1]]  # a block per layer
    assert "cache_control" in first[-1] and "cache_control" not in first[-2]
    assert out["messages"][-1]["content"][-1]["cache_control"] == {"type": "ephemeral"}
    assert cache_markers(out) == 2 and cache_markers(body) == 0  # the input is not modified
    client = {
        **body,
        "system": [{"type": "text", "text": "be brief", "cache_control": {"type": "ephemeral"}}],
    }
    assert place_breakpoints(client, summary) is client  # the client placed its own: left alone


async def _session(breakpoints: bool) -> list[dict[str, Any]]:
    settings = load_settings(environ={}, overrides={"compression": {"cache_breakpoints": breakpoints}})
    compactor = Compactor(settings.compression, kv=MemoryKV(), counter=COUNTER)
    steps = session_steps(90)
    fresh: list[dict[str, Any]] = []
    for turn in range(1, len(steps) + 1):
        body = to_anthropic([t for step in steps[:turn] for t in step], cache=False)
        body["system"] = "You are a careful engineer."
        result = await compactor.compress(body, "anthropic", body["model"], Limits(12_000, None, None))
        sent = result.body if result.body is not None else body
        assert violations("anthropic", sent) <= violations("anthropic", body)
        assert cache_markers(sent) <= 4
        if result.compressed:
            assert cache_markers(sent) == (2 if breakpoints else 0)
            if not result.reused_prefix:
                fresh.append(sent)
    return fresh


async def test_anthropic_compactions_append_layers_behind_a_breakpoint() -> None:
    fresh = await _session(True)
    assert len(fresh) >= 3
    appended = 0
    for before, after in itertools.pairwise(fresh):
        old = [b["text"] for b in before["messages"][0]["content"]]
        new = [b["text"] for b in after["messages"][0]["content"]]
        if len(old) > 1 and len(new) > len(old):  # a new layer: the earlier blocks stay, byte for byte
            appended += 1
            assert new[: len(old)] == old
            assert new[-1].startswith(CONTINUED)
    assert appended >= 1
    assert all(cache_markers(b) == 0 for b in await _session(False))
