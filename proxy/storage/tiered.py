"""Two tiers: a bounded local store in every process, and Redis shared by the replicas.

Every value is kept locally too, so a replica whose Redis fails (error, timeout, frozen node)
keeps its own conversations going from its local copy. Reads ask Redis within a latency budget
(``storage.lookup_budget_ms``) and fall back to the local copy past it; writes go to the local
tier at once and to Redis from a bounded queue, off the request path. A circuit breaker stops
calling Redis after repeated failures and probes it with back-off; one ``storage.degraded``
and one ``storage.recovered`` event mark each outage.

Versioned values (compaction state, the last forwarded prefix of a conversation) resolve by
version, never by a blind overwrite: a read returns the newest copy of either tier (and
queues the local one for Redis when it is the newer, e.g. after Redis restarted empty); a
write replaces only an older version.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import TypeVar

from proxy.storage.base import Latest
from proxy.storage.breaker import Breaker
from proxy.storage.memory import MemoryKV
from proxy.storage.redis import RedisKV, describe
from proxy.storage.signals import StorageSignals
from proxy.storage.writes import Write, WriteQueue
from proxy.tasks import BackgroundTasks

T = TypeVar("T")


class TieredKV:
    def __init__(
        self,
        local: MemoryKV,
        shared: RedisKV,
        signals: StorageSignals,
        *,
        lookup_budget_s: float = 0.03,
        breaker_failures: int = 3,
        probe_max_s: float = 5.0,
        write_queue: int = 1000,
        max_pending_reads: int = 64,
    ) -> None:
        from redis.backoff import EqualJitterBackoff

        self.local = local
        self.shared = shared
        self.signals = signals
        self.budget_s = lookup_budget_s
        self.breaker = Breaker(
            shared.ping,
            EqualJitterBackoff(cap=probe_max_s, base=0.05).compute,
            signals,
            failures=breaker_failures,
            describe=lambda exc: describe(exc, shared.url),
        )
        self.queue = WriteQueue(write_queue, signals.writes_shed)
        self._max_reads = max_pending_reads
        self._reads = 0
        self._late = 0  # calls still running past their budget
        self._tasks = BackgroundTasks("storage")
        self._writer: asyncio.Task[None] | None = None
        self._applying = False  # a queued write is on its way to Redis
        # Connect ahead of the first lookup (created in the app's start-up, on its loop); with
        # no running loop (RuntimeError) the first call connects.
        with contextlib.suppress(RuntimeError):
            self._tasks.spawn("warm", self._warm())

    # -- reads: the shared tier within the budget, else the local copy ---------------------
    async def _budgeted(self, op: str, call: Callable[[], Awaitable[T]]) -> tuple[bool, T | None]:
        """``(True, value)`` when the shared tier answered in time, else ``(False, None)``.

        Past the budget the call goes on in the background and only its outcome feeds the
        breaker: an error or redis-py's socket timeout counts as a failure, a late answer does
        not (a busy event loop can overrun a few ms budget while Redis is fine). While a call is
        late, other lookups do not wait for Redis at all: a frozen Redis costs one budget, not
        one per lookup, until its timeouts open the breaker."""
        if not self.breaker.closed or self._late or self._reads >= self._max_reads:
            self.signals.fallback(op)
            return False, None
        task = self._tasks.spawn(op, self._guarded(call))
        done, _ = await asyncio.wait({task}, timeout=self.budget_s)
        for _ in range(3):  # the loop itself may have been late (a busy host): let ready I/O in
            if done or task.done():
                done = {task}
                break
            await asyncio.sleep(0)
        if not done:  # while this call is late, nobody else waits for Redis either
            self._late += 1
            task.add_done_callback(self._no_longer_late)
        ok, value = task.result() if done else (False, None)
        if not ok:
            self.signals.fallback(op)
        return ok, value

    async def _warm(self) -> None:
        try:
            await self.shared.warm()
        except Exception as exc:
            self.breaker.failure(exc)

    def _no_longer_late(self, _: object) -> None:
        self._late -= 1

    async def _guarded(self, call: Callable[[], Awaitable[T]]) -> tuple[bool, T | None]:
        self._reads += 1
        try:
            value = await call()
        except Exception as exc:
            self.breaker.failure(exc)
            return False, None
        finally:
            self._reads -= 1
        self.breaker.success()
        return True, value

    async def get(self, key: str) -> bytes | None:
        mine = await self.local.get(key)
        if key in self.queue:  # read your own write: Redis does not have it yet
            return mine
        ok, theirs = await self._budgeted("get", lambda: self.shared.get(key))
        if ok and theirs is not None:
            if theirs != mine:
                await self.local.set(key, theirs)
            return theirs
        return mine

    async def get_latest(self, key: str) -> Latest:
        mine = await self.local.versioned(key)
        ok, theirs = await self._budgeted("get_latest", lambda: self.shared.versioned(key))
        if not ok:
            return Latest(mine[1] if mine else None, False)
        if theirs is not None and (mine is None or theirs[0] > mine[0]):
            await self.local.set_versioned(key, theirs[1], theirs[0])
            return Latest(theirs[1], True)
        if mine is not None and (theirs is None or mine[0] > theirs[0]):
            self._enqueue(key, Write("set_versioned", mine[1], None, mine[0]))  # repair Redis
        return Latest(mine[1] if mine else None, True)

    async def set_nx(self, key: str, value: bytes, ttl_s: float) -> bool:
        ok, won = await self._budgeted("set_nx", lambda: self.shared.set_nx(key, value, ttl_s))
        if ok:
            return bool(won)
        return await self.local.set_nx(key, value, ttl_s)  # a lease within this process

    # -- writes: local now, shared from the queue ------------------------------------------
    async def set(self, key: str, value: bytes, ttl_s: float | None = None) -> None:
        await self.local.set(key, value, ttl_s)
        self._enqueue(key, Write("set", value, ttl_s))

    async def delete(self, key: str) -> None:
        await self.local.delete(key)
        self._enqueue(key, Write("delete"))

    async def set_versioned(self, key: str, value: bytes, version: int, ttl_s: float | None = None) -> None:
        await self.local.set_versioned(key, value, version, ttl_s)
        self._enqueue(key, Write("set_versioned", value, ttl_s, version))

    def _enqueue(self, key: str, write: Write) -> None:
        if not self.breaker.closed and not write.versioned:
            self.signals.fallback(write.op)  # a blind write could not be applied safely later
            return
        self.queue.put(key, write)
        if self._writer is None or self._writer.done():
            self._writer = self._tasks.spawn("writer", self._write_loop())

    async def _write_loop(self) -> None:
        while True:
            item = self.queue.pop()
            if item is None:
                await self.queue.wait()
                continue
            key, write = item
            if not self.breaker.closed:
                self.queue.requeue(key, write)
                await self.breaker.wait_closed()
                self.queue.drop_plain(before=self.breaker.opened_at)
                continue
            self._applying = True
            try:
                await self._apply(key, write)
            except Exception as exc:
                self.breaker.failure(exc)
                write.attempts += 1
                if write.versioned and write.attempts < 3:
                    self.queue.requeue(key, write)
                else:
                    self.signals.fallback(write.op)
            else:
                self.breaker.success()
            finally:
                self._applying = False

    async def _apply(self, key: str, w: Write) -> None:
        if w.op == "set":
            await self.shared.set(key, w.value, w.ttl_s)
        elif w.op == "delete":
            await self.shared.delete(key)
        else:
            await self.shared.set_versioned(key, w.value, w.version, w.ttl_s)

    async def flush(self, timeout_s: float = 2.0) -> None:
        """Wait (at most ``timeout_s``) until the queued writes reached Redis."""
        deadline = asyncio.get_running_loop().time() + timeout_s
        while (len(self.queue) or self._applying) and self.breaker.closed:
            if asyncio.get_running_loop().time() >= deadline:
                return
            await asyncio.sleep(0.005)

    async def close(self) -> None:
        await self.flush()
        await self._tasks.close()
        await self.breaker.close()
        with contextlib.suppress(Exception):  # closing a dead connection: nothing left to do
            await self.shared.close()
        await self.local.close()
