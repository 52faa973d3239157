"""Writes waiting for the shared tier: off the request path, bounded, the oldest shed first.

One entry per key (a newer write to a key replaces the queued one and moves to the back); past
``limit`` entries the oldest is dropped and counted. The local tier already holds every value,
so a shed write costs sharing, never correctness.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal


@dataclass(slots=True)
class Write:
    op: Literal["set", "delete", "set_versioned"]
    value: bytes = b""
    ttl_s: float | None = None
    version: int = 0
    attempts: int = 0
    queued_at: float = field(default_factory=time.monotonic)

    @property
    def versioned(self) -> bool:
        """Safe to apply late: the shared tier keeps whichever version is newer."""
        return self.op == "set_versioned"


class WriteQueue:
    def __init__(self, limit: int, on_shed: Callable[[int], None]) -> None:
        self.limit = max(1, limit)
        self._on_shed = on_shed
        self._pending: OrderedDict[str, Write] = OrderedDict()
        self._ready = asyncio.Event()

    def __len__(self) -> int:
        return len(self._pending)

    def __contains__(self, key: str) -> bool:
        """A write to ``key`` is still waiting: the local copy is the newer one."""
        return key in self._pending

    def put(self, key: str, write: Write) -> None:
        self._pending.pop(key, None)
        self._pending[key] = write
        self._shed()
        self._ready.set()

    def requeue(self, key: str, write: Write) -> None:
        """Back at the front (it was the oldest), unless a newer write to the key came meanwhile."""
        if key in self._pending:
            return
        self._pending[key] = write
        self._pending.move_to_end(key, last=False)
        self._shed()
        self._ready.set()

    def pop(self) -> tuple[str, Write] | None:
        if not self._pending:
            self._ready.clear()
            return None
        return self._pending.popitem(last=False)

    def drop_plain(self, before: float) -> None:
        """After an outage: plain writes queued before it began (``before``, monotonic) would
        overwrite blindly, so they go; versioned writes stay (the newer version wins anyway)."""
        stale = [k for k, w in self._pending.items() if not w.versioned and w.queued_at < before]
        for k in stale:
            del self._pending[k]
        if stale:
            self._on_shed(len(stale))

    async def wait(self) -> None:
        await self._ready.wait()

    def _shed(self) -> None:
        dropped = 0
        while len(self._pending) > self.limit:
            self._pending.popitem(last=False)
            dropped += 1
        if dropped:
            self._on_shed(dropped)
