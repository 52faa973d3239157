"""Readiness and draining: /readyz is 503 while starting or draining; SIGTERM drains."""

from __future__ import annotations

import asyncio


class Lifecycle:
    def __init__(self) -> None:
        self.ready = False
        self.waiting: str | None = None  # what start-up still waits for (e.g. "encodings")
        self.draining = False
        self.in_flight = 0
        self._idle: asyncio.Event | None = None

    def enter(self) -> None:
        self.in_flight += 1
        if self._idle is not None:
            self._idle.clear()

    def leave(self) -> None:
        self.in_flight -= 1
        if self.in_flight == 0 and self._idle is not None:
            self._idle.set()

    async def drain(self, grace_s: float) -> bool:
        """Stop being ready and wait for in-flight requests; True when all finished in time."""
        self.draining = True
        self.ready = False
        if self.in_flight == 0:
            return True
        self._idle = asyncio.Event()
        try:
            await asyncio.wait_for(self._idle.wait(), timeout=grace_s)
        except TimeoutError:
            return False
        return True
