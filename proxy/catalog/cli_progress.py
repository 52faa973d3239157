"""``ctxproxy models refresh`` progress: a line per source as it finishes; on a terminal, a
spinner below them says how many are done and which ones are still running."""

from __future__ import annotations

import asyncio
import itertools
from typing import TextIO

from proxy.catalog.progress import SourceOutcome
from proxy.tasks import BackgroundTasks

_FRAMES = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


class RefreshProgress:
    def __init__(self, names: list[str], out: TextIO, tty: TextIO | None, *, lines: bool = True) -> None:
        self.waiting = list(names)
        self.total = len(names)
        self.out = out
        self.tty = tty  # where the spinner goes (None: no spinner)
        self.lines = lines
        self._tasks = BackgroundTasks("refresh-progress")

    def done(self, outcome: SourceOutcome) -> None:
        if outcome.source in self.waiting:
            self.waiting.remove(outcome.source)
        self._clear()
        if self.lines:
            self.out.write(f"{outcome.source:24} {outcome.line}\n")
            self.out.flush()

    async def __aenter__(self) -> RefreshProgress:
        if self.tty is not None:
            self._tasks.spawn("spinner", self._spin())
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._tasks.close()
        self._clear()

    async def _spin(self) -> None:
        assert self.tty is not None
        for frame in itertools.cycle(_FRAMES):
            done = self.total - len(self.waiting)
            pending = ", ".join(self.waiting[:3]) + (" …" if len(self.waiting) > 3 else "")
            self.tty.write(f"\r\x1b[2K{frame} {done}/{self.total} sources done; waiting for {pending}")
            self.tty.flush()
            await asyncio.sleep(0.1)

    def _clear(self) -> None:
        if self.tty is not None:
            self.tty.write("\r\x1b[2K")
            self.tty.flush()
