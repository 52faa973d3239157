"""proxy.tasks.BackgroundTasks: named, referenced, failures logged, ended on close."""

from __future__ import annotations

import asyncio

import pytest
from structlog.testing import capture_logs

from proxy.tasks import BackgroundTasks


async def test_tasks_are_named_held_and_released() -> None:
    tasks = BackgroundTasks("owner")
    gate = asyncio.Event()

    async def work() -> int:
        await gate.wait()
        return 7

    task = tasks.spawn("job", work())
    assert task.get_name() == "owner:job"
    assert tasks.names() == ["owner:job"] and len(tasks) == 1
    gate.set()
    assert await task == 7
    await asyncio.sleep(0)
    assert len(tasks) == 0


async def test_failure_is_logged_with_the_task_name() -> None:
    tasks = BackgroundTasks("owner")

    async def boom() -> None:
        raise ValueError("broken")

    with capture_logs() as logs:
        tasks.spawn("boom", boom())
        await tasks.drain()
    failed = [e for e in logs if e["event"] == "background_task_failed"]
    assert failed and failed[0]["task"] == "owner:boom" and failed[0]["error"] == "ValueError"


async def test_close_cancels_and_drain_waits() -> None:
    done: list[str] = []

    async def forever() -> None:
        await asyncio.Event().wait()

    async def short() -> None:
        await asyncio.sleep(0.01)
        done.append("short")

    drained = BackgroundTasks("drained")
    drained.spawn("short", short())
    await drained.drain()
    assert done == ["short"] and len(drained) == 0

    tasks = BackgroundTasks("closed")
    forever_task = tasks.spawn("forever", forever())
    await asyncio.sleep(0)
    with capture_logs() as logs:
        await tasks.close()
    assert forever_task.cancelled() and len(tasks) == 0
    assert not [e for e in logs if e["event"] == "background_task_failed"]  # a cancel is no failure


def test_spawn_without_a_loop_raises_and_closes_the_coroutine() -> None:
    async def work() -> None:
        return None

    coro = work()
    with pytest.raises(RuntimeError):
        BackgroundTasks("owner").spawn("job", coro)
    assert coro.cr_frame is None  # closed: no "never awaited" warning
