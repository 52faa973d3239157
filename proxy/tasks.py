"""Background tasks: the one place that creates them.

``asyncio`` keeps only a weak reference to a task, so a task nobody holds can be collected
mid-flight, and an exception nobody awaits is reported late or not at all. A
:class:`BackgroundTasks` set holds every task its owner starts, names it (``owner:name``,
visible in ``asyncio.all_tasks()`` and in the logs), logs a failure when the task ends, and
ends them all in the owner's cleanup. Bare ``asyncio.create_task`` / ``ensure_future`` are
banned elsewhere (ruff TID251, pyproject.toml).
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

import structlog

log = structlog.get_logger("ctxproxy.tasks")

T = TypeVar("T")


class BackgroundTasks:
    """The tasks one component started; ``close()`` cancels them, ``drain()`` waits for them."""

    def __init__(self, owner: str) -> None:
        self.owner = owner
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, name: str, coro: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        """Start ``coro`` on the running loop as ``owner:name`` (RuntimeError without a loop:
        the coroutine is closed first, so it never warns "was never awaited")."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            coro.close()
            raise
        task = asyncio.create_task(coro, name=f"{self.owner}:{name}")  # noqa: TID251 — the one place
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            log.error(
                "background_task_failed",
                task=task.get_name(),
                error=type(exc).__name__,
                exc_info=(type(exc), exc, exc.__traceback__),
            )

    def __len__(self) -> int:
        return len(self._tasks)

    def names(self) -> list[str]:
        return sorted(t.get_name() for t in self._tasks)

    async def drain(self) -> None:
        """Wait for the running tasks (and any they start meanwhile) to finish."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        """Cancel every running task and wait until they have ended."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
