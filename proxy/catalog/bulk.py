"""Helpers for bulk work (parsing LiteLLM's 3 MB map, merging thousands of entries) that
runs in a worker thread next to the event loop without stalling it.

- :func:`no_gc`: such work allocates 100 000s of small objects and the collector would run
  full passes over the whole heap mid-way (tens of ms holding the GIL). Collection is
  postponed for these short sections only.
- :class:`Breather`: a thread running Python code keeps the GIL for up to the switch interval
  (5 ms) each time the event loop wants it back; calling the breather in hot loops hands the
  GIL over every few hundred items, so the loop never waits more than ~0.5 ms.
  :func:`no_breathing` turns it off for work nothing waits beside (start-up: the loop waits
  for the result; on a busy machine each ``sleep(0)`` can give the core away for ms).
"""

from __future__ import annotations

import contextlib
import contextvars
import gc
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


@contextlib.contextmanager
def no_gc() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


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


def without_gc(func: Callable[..., T], *args: Any) -> T:
    """``func(*args)`` with collection paused (for ``asyncio.to_thread``)."""
    with no_gc():
        return func(*args)


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
