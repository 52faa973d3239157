"""Keeps the status series: closes a bucket every ``status.bucket_s`` seconds, and with
``storage.backend: redis`` moves closed buckets into one shared key (all replicas and workers
add theirs; a short lease serialises the read-merge-write), so the window survives restarts and
the page shows the whole deployment."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import orjson
import structlog

from proxy.config import StatusSettings
from proxy.observability.metrics import Metrics
from proxy.status import series, snapshot
from proxy.status.series import Buckets, Series
from proxy.storage.base import KV
from proxy.tasks import BackgroundTasks

log = structlog.get_logger("ctxproxy.status")

SERIES_KEY = "status:series:v1"
LOCK_KEY = "status:series:lock"
_LOCK_TTL_S = 10.0


class StatusRecorder:
    def __init__(
        self,
        settings: StatusSettings,
        metrics: Metrics,
        stats_raw: Callable[[], dict[str, Any] | None],
        kv: KV | None,
        clock: Callable[[], float] = time.time,
        peak: Callable[[bool], int] | None = None,
    ) -> None:
        self.bucket_s = settings.bucket_s
        self.window = settings.window_buckets
        self._metrics = metrics
        self._stats_raw = stats_raw
        self._kv = kv  # only when the store is shared (redis)
        self._clock = clock
        self._peak = peak  # requests in flight at once since the last bucket closed (reset: True)
        self.series = Series(self.bucket_s, self.window, clock())
        self._tasks = BackgroundTasks("status")

    @property
    def shared(self) -> bool:
        return self._kv is not None

    def snapshot(self, closing: bool = False) -> series.Snap:
        snap = snapshot.take(self._stats_raw(), self._metrics)
        if self._peak is not None:  # in flight: the bucket's peak, not its value at the end
            snap["proxy"]["all"]["in_flight"] = float(self._peak(closing))
        return snap

    def export(self) -> dict[str, Any]:
        """This process's part: cumulative stats and the buckets not yet in the shared store."""
        return {"stats": self._stats_raw(), "buckets": self.series.partial(self.snapshot())}

    async def stored(self) -> Buckets:
        if self._kv is None:
            return {}
        raw = await self._kv.get(SERIES_KEY)
        if not raw:
            return {}
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError:
            return {}
        return series.merge([data]) if isinstance(data, dict) else {}

    # -- background ----------------------------------------------------------------------
    def start(self) -> None:
        self.series.close(self.snapshot(closing=True), self._clock())  # counting starts now
        self._tasks.spawn("tick", self._run())

    async def close(self) -> None:
        await self._tasks.close()
        self.series.close(self.snapshot(closing=True), self._clock())
        await self.flush()

    async def _run(self) -> None:
        while True:
            now = self._clock()
            boundary = (now // self.bucket_s + 1) * self.bucket_s
            await asyncio.sleep(max(0.0, boundary - now))
            try:
                self.series.close(self.snapshot(closing=True), boundary)
                await self.flush()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("status.tick_failed")

    async def flush(self) -> bool:
        """Closed buckets → the shared store. Kept locally for the next tick when the lease is busy."""
        if self._kv is None or not self.series.buckets:
            return False
        if not await self._kv.set_nx(LOCK_KEY, b"1", _LOCK_TTL_S):
            return False
        try:
            merged = series.merge([await self.stored(), self.series.take()])
            newest = max(merged) if merged else series.align(self._clock(), self.bucket_s)
            merged = series.trim(merged, newest, self.bucket_s, self.window)
            ttl = self.bucket_s * (self.window + 1)
            await self._kv.set(SERIES_KEY, orjson.dumps(merged, option=orjson.OPT_NON_STR_KEYS), ttl)
        finally:
            await self._kv.delete(LOCK_KEY)
        return True
