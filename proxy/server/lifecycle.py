"""Readiness and draining: /readyz is 503 while starting or draining; SIGTERM drains."""

from __future__ import annotations

import asyncio


class Lifecycle:
    def __init__(self) -> None:
        self.ready = False
        self.waiting: str | None = None  # what start-up still waits for (e.g. "encodings")
        self.draining = False
        self.in_flight = 0
        self._peak = 0  # the most in flight at once since the last take_peak(reset=True)
        self._idle: asyncio.Event | None = None

    def enter(self) -> None:
        self.in_flight += 1
        if self.in_flight > self._peak:
            self._peak = self.in_flight
        if self._idle is not None:
            self._idle.clear()

    def take_peak(self, reset: bool) -> int:
        """The most requests in flight at once since the last reset (the status page's per-bucket
        peak); ``reset`` starts the next period at the current count."""
        peak = max(self._peak, self.in_flight)
        if reset:
            self._peak = self.in_flight
        return peak

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
