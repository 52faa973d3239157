"""Per-agent and per-model stats keep the most recently used keys (bounded)."""

from __future__ import annotations

from proxy.server.stats import Stats


def _request(stats: Stats, agent: str, model: str) -> None:
    stats.request(
        agent, model, tokens_before=10, tokens_after=10, compressed=False, fresh=False, reused_prefix=False
    )


def test_least_recently_used_key_goes_first() -> None:
    stats = Stats(max_keys=2)
    _request(stats, "a", "m1")
    _request(stats, "b", "m2")
    _request(stats, "a", "m1")  # a and m1 used again: b and m2 are now the oldest
    _request(stats, "c", "m3")
    raw = stats.raw()
    assert sorted(raw["agents"]) == ["a", "c"] and sorted(raw["models"]) == ["m1", "m3"]
    assert raw["agents"]["a"]["requests"] == 2 and raw["agents"]["c"]["requests"] == 1
    assert raw["total"]["requests"] == 4 and raw["total"]["tokens_before"] == 40
