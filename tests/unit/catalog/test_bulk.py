"""bulk.off_loop / CollectorPause: the collector is paused while any bulk section runs,
resumed when the last one ends, and never switched from a worker thread."""

from __future__ import annotations

import asyncio
import gc
import threading
from collections.abc import Iterator

import pytest

from proxy.catalog.bulk import COLLECTOR, CollectorPause, off_loop


@pytest.fixture(autouse=True)
def _collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_nested_pauses_resume_only_after_the_last() -> None:
    pause = CollectorPause()
    pause.enter()
    pause.enter()
    assert not gc.isenabled() and pause.depth == 2
    pause.exit()
    assert not gc.isenabled()  # the other section still runs
    pause.exit()
    assert gc.isenabled() and pause.depth == 0


def test_a_collector_disabled_by_someone_else_stays_disabled() -> None:
    gc.disable()
    pause = CollectorPause()
    pause.enter()
    pause.exit()
    assert not gc.isenabled()


async def test_overlapping_off_loop_sections_keep_the_collector_paused() -> None:
    """The first section to start ends first: the second still runs with the collector paused."""
    loop_thread = threading.get_ident()
    started = [threading.Event(), threading.Event()]
    release = [threading.Event(), threading.Event()]
    seen: dict[str, object] = {}

    def section(i: int) -> int:
        seen[f"thread{i}"] = threading.get_ident()
        started[i].set()
        release[i].wait(5)
        seen[f"enabled_at_end{i}"] = gc.isenabled()
        return i

    first = asyncio.ensure_future(off_loop(section, 0))
    await asyncio.to_thread(started[0].wait, 5)
    second = asyncio.ensure_future(off_loop(section, 1))
    await asyncio.to_thread(started[1].wait, 5)
    release[0].set()
    assert await first == 0
    assert not gc.isenabled()  # the second section is still running: still paused
    release[1].set()
    assert await second == 1
    assert seen["enabled_at_end0"] is False and seen["enabled_at_end1"] is False
    assert loop_thread not in (seen["thread0"], seen["thread1"])
    assert gc.isenabled() and COLLECTOR.depth == 0
