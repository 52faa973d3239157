"""Background refreshes: one loop per source (jittered interval, backoff after failures,
never sooner than Retry-After; with a shared store only the lease holder fetches, the other
replicas install what it published), and a debounced commit so that refreshes finishing
close together share one rebuild."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable, Mapping

import structlog

from proxy.catalog.replicas import SharedSources
from proxy.catalog.schedule import first_delay, next_delay
from proxy.catalog.sources import Source
from proxy.catalog.state import SourceState
from proxy.tasks import BackgroundTasks

log = structlog.get_logger("ctxproxy.catalog")

COMMIT_DEBOUNCE_S = 1.0


class RefreshScheduler:
    def __init__(
        self,
        *,
        interval_s: float,
        refresh_on_start: bool,
        states: Mapping[str, SourceState],
        retry_after: Mapping[str, float | None],
        shared: SharedSources,
        refresh: Callable[[Source], Awaitable[bool]],  # fetch + apply one source: True if it failed
        pull: Callable[[list[str]], Awaitable[int]],  # install what another replica published
        tasks: BackgroundTasks,
    ) -> None:
        self._interval = interval_s
        self._on_start = refresh_on_start
        self._states = states
        self._retry_after = retry_after
        self._shared = shared
        self._refresh = refresh
        self._pull = pull
        self._tasks = tasks
        self._rng = random.Random()
        self.next_at: dict[str, float] = {}  # epoch seconds of each source's next refresh

    def start(self, sources: list[Source]) -> None:
        for source in sources:
            self._tasks.spawn(f"refresh:{source.name}", self._loop(source))

    async def _loop(self, source: Source) -> None:
        interval = self._interval
        state = self._states.get(source.name)
        age = time.time() - state.fetched_at if state and state.fetched_at else None
        delay = first_delay(interval, age, self._on_start, self._rng)
        while True:
            self.next_at[source.name] = time.time() + delay
            await asyncio.sleep(delay)
            try:
                if await self._shared.take_lease(source.name, interval):
                    if await self._refresh(source):
                        await self._shared.release(source.name)
                else:
                    await self._pull([source.name])
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("catalog_refresh_crashed", source=source.name)
            state = self._states.get(source.name)
            failures = state.failures if state else 1
            delay = next_delay(interval, failures, self._retry_after.get(source.name), self._rng)


class Debounced:
    """``schedule()`` runs ``action`` once, ``delay_s`` after the first call since it last ran."""

    def __init__(
        self,
        name: str,
        action: Callable[[], Awaitable[None]],
        tasks: BackgroundTasks,
        delay_s: float = COMMIT_DEBOUNCE_S,
    ) -> None:
        self._name = name
        self._action = action
        self._tasks = tasks
        self._delay_s = delay_s
        self._task: asyncio.Task[None] | None = None

    def schedule(self) -> None:
        if self._task is None:
            self._task = self._tasks.spawn(self._name, self._run())

    async def _run(self) -> None:
        await asyncio.sleep(self._delay_s)
        self._task = None  # calls from now on schedule the next run
        await self._action()
