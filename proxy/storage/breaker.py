"""A circuit breaker for the shared store, with back-off probes.

Closed: calls go to Redis; ``failures`` consecutive failures (errors, redis-py's socket and
connect timeouts) open it. Open: nobody calls Redis; one background probe (a PING) runs
after a back-off delay (redis-py's :class:`~redis.backoff.EqualJitterBackoff`, doubling up to
``probe_max_s``), and the first that succeeds closes it again. The request path never waits
on a probe.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from proxy.storage.signals import StorageSignals
from proxy.tasks import BackgroundTasks


class Breaker:
    def __init__(
        self,
        probe: Callable[[], Awaitable[None]],
        backoff: Callable[[int], float],
        signals: StorageSignals,
        *,
        failures: int = 3,
        describe: Callable[[BaseException], str] = repr,
    ) -> None:
        self._probe = probe
        self._backoff = backoff
        self._signals = signals
        self._threshold = max(1, failures)
        self._describe = describe
        self._streak = 0
        self.opened_at = 0.0  # when the last outage began (monotonic)
        self._closed = asyncio.Event()
        self._closed.set()
        self._tasks = BackgroundTasks("storage-breaker")

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    async def wait_closed(self) -> None:
        await self._closed.wait()

    def success(self) -> None:
        self._streak = 0

    def failure(self, reason: str | BaseException) -> None:
        if not self.closed:
            return
        self._streak += 1
        if self._streak >= self._threshold:
            self._open(reason if isinstance(reason, str) else self._describe(reason))

    def _open(self, reason: str) -> None:
        self.opened_at = time.monotonic()
        self._closed.clear()
        self._signals.degraded(reason)
        self._tasks.spawn("probe", self._probe_until_closed())

    async def _probe_until_closed(self) -> None:
        attempt = 0
        while True:
            await asyncio.sleep(self._backoff(attempt))
            attempt += 1
            try:
                await self._probe()
            except Exception:  # still down: the next probe waits longer
                continue
            self._streak = 0
            self._closed.set()
            self._signals.recovered()
            return

    async def close(self) -> None:
        await self._tasks.close()
