"""Helpers for bulk work (parsing LiteLLM's 3 MB map, merging thousands of entries) that
runs in a worker thread next to the event loop without stalling it.

- :func:`off_loop`: such work allocates 100 000s of small objects and the collector would run
  full passes over the whole heap mid-way (tens of ms holding the GIL). ``off_loop`` runs it
  in a worker thread with collection postponed meanwhile. The collector is one per process,
  so the pause is too (:class:`CollectorPause`): counted, so that overlapping sections keep
  it paused until the last one ends, and switched only from the event loop's thread, never
  from a worker.
- :class:`Breather`: a thread running Python code keeps the GIL for up to the switch interval
  (5 ms) each time the event loop wants it back; calling the breather in hot loops hands the
  GIL over every few hundred items, so the loop never waits more than ~0.5 ms.
  :func:`no_breathing` turns it off for work nothing waits beside (start-up: the loop waits
  for the result; on a busy machine each ``sleep(0)`` can give the core away for ms).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import gc
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")
_BREATHE: contextvars.ContextVar[bool] = contextvars.ContextVar("ctxproxy_breathe", default=True)


@contextlib.contextmanager
def no_breathing() -> Iterator[None]:
    token = _BREATHE.set(False)
    try:
        yield
    finally:
        _BREATHE.reset(token)


class CollectorPause:
    """Nested pauses of the cyclic collector: the first ``enter`` disables it (when it was
    enabled), the last ``exit`` enables it again."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._depth = 0
        self._resume = False

    @property
    def depth(self) -> int:
        return self._depth

    def enter(self) -> None:
        with self._lock:
            if self._depth == 0:
                self._resume = gc.isenabled()
                gc.disable()
            self._depth += 1

    def exit(self) -> None:
        with self._lock:
            self._depth -= 1
            if self._depth == 0 and self._resume:
                gc.enable()


# The interpreter has one collector per process; this mirrors it (state of the process, not
# of an app: two apps in one process share the collector, and must share its pause).
COLLECTOR = CollectorPause()


async def off_loop(func: Callable[..., T], *args: Any) -> T:
    """``await func(*args)`` in a worker thread, the collector paused until it returns
    (paused and resumed here, on the event loop's thread)."""
    COLLECTOR.enter()
    try:
        return await asyncio.to_thread(func, *args)
    finally:
        COLLECTOR.exit()


def drop(container: Any) -> None:
    """Empty a large container piece by piece (in a worker thread, breathing): freeing a
    parsed 3 MB document or a whole view in one go is one long deallocation that holds the
    GIL — on the event loop, if its last reference dies there."""
    breathe = Breather(50)
    if isinstance(container, dict):
        while container:
            container.popitem()
            breathe()
    elif isinstance(container, list):
        while container:
            container.pop()
            breathe()


class Breather:
    """Call once per item: every ``every`` calls, release the GIL briefly (``sleep(0)``)."""

    __slots__ = ("count", "every")

    def __init__(self, every: int = 200) -> None:
        self.every = every if _BREATHE.get() else 1 << 62
        self.count = 0

    def __call__(self) -> None:
        self.count += 1
        if self.count >= self.every:
            self.count = 0
            time.sleep(0)
