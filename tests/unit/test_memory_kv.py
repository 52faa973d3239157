"""The memory storage backend is bounded by entries and by bytes."""

from __future__ import annotations

from proxy.storage import MemoryKV


async def test_bytes_bound_drops_least_recently_used() -> None:
    kv = MemoryKV(max_items=1000, max_bytes=100_000)
    for i in range(50):
        await kv.set(f"k{i}", bytes(10_000))
        await kv.get("k0")  # keep k0 recent
    assert kv.bytes_used <= 100_000
    assert await kv.get("k0") is not None and await kv.get("k49") is not None
    assert await kv.get("k1") is None


async def test_items_bound_and_oversized_values() -> None:
    kv = MemoryKV(max_items=3, max_bytes=1 << 20)
    for i in range(5):
        await kv.set(f"k{i}", b"v")
    assert [await kv.get(f"k{i}") for i in range(5)] == [None, None, b"v", b"v", b"v"]
    await kv.set("k4", b"w")  # replacing a key evicts nothing
    assert await kv.get("k2") == b"v" and await kv.get("k4") == b"w"
    await kv.set("k3", bytes(2 << 20))  # larger than the whole budget: not kept, old value gone
    assert await kv.get("k3") is None and kv.bytes_used < 1000
