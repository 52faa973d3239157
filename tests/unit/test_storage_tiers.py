"""The two-tier store: local copy always, Redis shared; fallback, budget, breaker, queue.

The shared tier here is a fake with the RedisKV surface that can be up, down (connection
refused) or frozen (answers nothing until its socket timeout); the real Redis runs in
tests/integration/test_redis_faults.py.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from structlog.testing import capture_logs

from proxy.compress.state import CompactionState, StateStore
from proxy.observability.metrics import Metrics
from proxy.server.forwards import ForwardedPrefixes
from proxy.server.stats import Stats
from proxy.storage import MemoryKV
from proxy.storage.redis import describe
from proxy.storage.signals import StorageSignals
from proxy.storage.tiered import TieredKV


class FakeShared:
    """RedisKV's surface over a dict; ``mode``: up | down | frozen."""

    url = "redis://:s3cret@redis.internal:6379/0"

    def __init__(self, timeout_s: float = 0.2) -> None:
        self.mode = "up"
        self.timeout_s = timeout_s
        self.data: dict[str, bytes] = {}
        self.versions: dict[str, tuple[int, bytes]] = {}
        self.calls = 0

    async def _gate(self) -> None:
        self.calls += 1
        if self.mode == "down":
            raise ConnectionError("Error 111 connecting to redis://:s3cret@redis.internal:6379/0")
        if self.mode == "frozen":
            await asyncio.sleep(self.timeout_s)
            raise TimeoutError("Timeout reading from redis.internal:6379")

    async def ping(self) -> None:
        await self._gate()

    async def warm(self) -> None:
        await self._gate()

    async def get(self, key: str) -> bytes | None:
        await self._gate()
        return self.data.get(key)

    async def set(self, key: str, value: bytes, ttl_s: float | None = None) -> None:
        await self._gate()
        self.data[key] = value

    async def set_nx(self, key: str, value: bytes, ttl_s: float) -> bool:
        await self._gate()
        if key in self.data:
            return False
        self.data[key] = value
        return True

    async def delete(self, key: str) -> None:
        await self._gate()
        self.data.pop(key, None)

    async def versioned(self, key: str) -> tuple[int, bytes] | None:
        await self._gate()
        return self.versions.get(key)

    async def set_versioned(self, key: str, value: bytes, version: int, ttl_s: float | None = None) -> None:
        await self._gate()
        cur = self.versions.get(key)
        if cur is None or cur[0] <= version:
            self.versions[key] = (version, value)

    async def close(self) -> None:
        pass


def tiered(shared: FakeShared, metrics: Metrics | None = None, **kw: Any) -> TieredKV:
    opts: dict[str, Any] = {"lookup_budget_s": 0.02, "probe_max_s": 0.05, "write_queue": 100, **kw}
    return TieredKV(MemoryKV(), shared, StorageSignals("redis", metrics), **opts)  # type: ignore[arg-type]


def events(logs: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return [e for e in logs if e["event"] == name]


async def until(cond: Any, limit_s: float = 5.0) -> None:
    for _ in range(int(limit_s / 0.01)):
        if cond():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not reached")


async def test_outage_serves_the_local_copy_with_one_degraded_and_one_recovered_event() -> None:
    shared, metrics = FakeShared(), Metrics()
    kv = tiered(shared, metrics)
    await asyncio.sleep(0)  # the warm-up call
    with capture_logs() as logs:
        await kv.set("a", b"1")
        await kv.flush()
        assert shared.data == {"a": b"1"}
        shared.mode = "down"
        for _ in range(20):
            assert await kv.get("a") == b"1"  # the local copy answers
        await kv.set_versioned("s", b"state", 5)  # kept for Redis, applied when it returns
        await kv.set("plain", b"x")  # a blind write is not replayed after the outage
        assert not kv.breaker.closed and shared.calls < 20  # the breaker stopped the calls
        shared.mode = "up"
        await until(lambda: kv.breaker.closed)
        await kv.set("after", b"y")
        await kv.flush()
    assert (
        shared.versions["s"] == (5, b"state") and "plain" not in shared.data and shared.data["after"] == b"y"
    )
    degraded, recovered = events(logs, "storage.degraded"), events(logs, "storage.recovered")
    assert len(degraded) == 1 and len(recovered) == 1
    assert "s3cret" not in degraded[0]["reason"] and "ConnectionError" in degraded[0]["reason"]
    assert not events(logs, "storage.redis_error")  # no line per operation
    text = metrics.render().decode()
    assert "ctxproxy_storage_outages_total 1.0" in text and "ctxproxy_storage_degraded 0.0" in text
    assert 'ctxproxy_storage_fallbacks_total{op="get"}' in text
    await kv.close()


async def test_a_frozen_store_costs_at_most_the_budget_then_nothing() -> None:
    shared = FakeShared(timeout_s=0.3)
    kv = tiered(shared, lookup_budget_s=0.02)
    await kv.set("a", b"1")
    await kv.flush()
    shared.mode = "frozen"
    with capture_logs() as logs:
        while kv.breaker.closed:  # until the frozen store's timeouts open the breaker
            assert await kv.get("a") == b"1"
            await asyncio.sleep(0.01)  # a request's other work
        assert shared.calls <= 2 + 3  # warm-up, the write, then one late lookup per failure: no pile-up
        calls = shared.calls
        for _ in range(10):
            assert await kv.get("a") == b"1"
    assert shared.calls == calls  # open: no more calls to the frozen store
    assert "TimeoutError" in events(logs, "storage.degraded")[0]["reason"]
    await kv.close()


async def test_newest_version_wins_in_both_directions() -> None:
    shared = FakeShared()
    kv = tiered(shared)
    shared.versions["k"] = (10, b"theirs")
    await kv.local.set_versioned("k", b"mine", 5)
    found = await kv.get_latest("k")
    assert found.value == b"theirs" and found.shared
    assert await kv.local.versioned("k") == (10, b"theirs")  # kept locally too
    await kv.local.set_versioned("k2", b"mine", 7)  # e.g. Redis restarted empty
    assert (await kv.get_latest("k2")).value == b"mine"
    await kv.flush()
    assert shared.versions["k2"] == (7, b"mine")  # repaired from the local copy
    await kv.set_versioned("k", b"older", 3)  # never replaces a newer state
    await kv.flush()
    assert shared.versions["k"] == (10, b"theirs") and (await kv.get_latest("k")).value == b"theirs"
    shared.mode = "down"
    found = await kv.get_latest("k")
    assert found.value == b"theirs" and not found.shared
    await kv.close()


async def test_a_write_not_yet_in_redis_is_read_back_locally() -> None:
    shared = FakeShared()
    kv = tiered(shared)
    shared.data["k"] = b"old"
    await kv.set("k", b"new")  # queued; the writer has not run yet
    assert await kv.get("k") == b"new"
    await kv.flush()
    assert shared.data["k"] == b"new" and await kv.get("k") == b"new"
    await kv.close()


async def test_the_write_queue_sheds_the_oldest_and_counts_it() -> None:
    shared = FakeShared()
    kv = tiered(shared, write_queue=3)
    shared.mode = "down"
    for _ in range(3):
        await kv.get("x")  # opens the breaker
    for i in range(10):
        await kv.set_versioned(f"k{i}", b"v", i)
    assert len(kv.queue) == 3 and kv.signals.shed == 7
    assert [await kv.local.versioned(f"k{i}") for i in (0, 9)] == [(0, b"v"), (9, b"v")]  # all kept locally
    shared.mode = "up"
    await until(lambda: kv.breaker.closed)
    await kv.flush()
    assert sorted(shared.versions) == ["k7", "k8", "k9"]
    await kv.close()


async def test_leases_fall_back_to_this_process() -> None:
    shared = FakeShared()
    kv = tiered(shared)
    assert await kv.set_nx("lease", b"1", 60) is True
    assert await kv.set_nx("lease", b"1", 60) is False
    shared.mode = "down"
    assert await kv.set_nx("other", b"1", 60) is True
    assert await kv.set_nx("other", b"1", 60) is False  # one holder per process still
    await kv.close()


def test_reasons_never_carry_credentials() -> None:
    url = "redis://user:p%40ss@host:6379/0"
    exc = ConnectionError("AUTH failed for redis://user:p@ss@host:6379/0 (p@ss)")
    text = describe(exc, url)
    assert "p@ss" not in text and "user:" not in text and text.startswith("ConnectionError: ")


async def test_compaction_states_version_and_old_states_still_read() -> None:
    old = b'{"v":1,"n":3,"h":"abc","removed":[1],"edits":[],"summary":null,"compactions":2}'
    state = CompactionState.from_bytes(old)
    assert state is not None and state.n == 3 and state.version == 0
    newer = CompactionState(n=3, prefix_hash="abc")
    assert newer.version > 0 and CompactionState.from_bytes(newer.to_bytes()) == newer
    assert CompactionState.from_bytes(b'{"v":99}') is None
    kv = MemoryKV()
    store = StateStore(kv)
    await store.save("k", newer)
    await store.save("k", state)  # older: ignored
    assert await store.load("k") == newer


async def test_forwarded_prefix_checks() -> None:
    ledger = ForwardedPrefixes(MemoryKV())
    a, b, c = {"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}, {"role": "tool"}
    first = await ledger.check("t", 1, [a, b])
    assert not first.stable and not first.unverified and not first.shared
    assert (await ledger.check("t", 2, [a, b, c])).stable
    assert not (await ledger.check("t", 3, [a, c])).stable  # the prefix changed
    with capture_logs() as logs:
        gap = await ledger.check("t", 5, [a, c, b, c])  # turn 4 went elsewhere
        await ledger.check("t", 7, [a, c, b, c, b])
    assert gap.unverified and not gap.stable
    assert len(events(logs, "storage.sticky_routing_needed")) == 1


def test_stats_say_what_the_stable_prefix_rate_was_checked_against() -> None:
    stats = Stats()
    kw: dict[str, Any] = {"tokens_before": 10, "tokens_after": 5, "compressed": True, "fresh": False}
    stats.request("a", "m", reused_prefix=True, prefix_shared=False, **kw)
    stats.request("a", "m", reused_prefix=False, prefix_unverified=True, **kw)
    view = stats.view()["total"]
    assert view["cache_stable_prefix_rate"] == 0.5 and view["cache_stable_prefix_scope"] == "per replica"
    assert view["prefix_unverified"] == 1
    shared = Stats()
    shared.request("a", "m", reused_prefix=True, prefix_shared=True, **kw)
    assert shared.view()["total"]["cache_stable_prefix_scope"] == "shared"


@pytest.mark.parametrize("mode", ["down", "frozen"])
async def test_close_does_not_hang_on_a_dead_store(mode: str) -> None:
    shared = FakeShared(timeout_s=0.1)
    kv = tiered(shared)
    await kv.set("a", b"1")
    shared.mode = mode
    await kv.set_versioned("b", b"1", 1)
    await kv.close()
