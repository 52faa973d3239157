"""Whole-turn extraction, a baseline: whole turns chosen by novel words per token until the
size is reached, kept in their order with their dates and speakers (the same rendering)."""

from __future__ import annotations

import heapq
from collections.abc import Callable
from typing import Any

from tests.bench.reader.dialogue import Dialogue
from tests.bench.reader.reading import Idf, word_set

Count = Callable[[dict[str, Any]], int]
Render = Callable[..., dict[str, Any]]


def greedy_order(d: Dialogue, idf: Idf) -> list[str]:
    """Turn ids in the order a lazy greedy picks them: IDF weight of words not yet held, per
    estimated token (4 characters, plus 4 for the label)."""
    words = {t.id: word_set(t.text) for t in d.turns}
    cost = {t.id: len(t.text) / 4 + 4 for t in d.turns}
    held: set[str] = set()
    heap = [(-idf.weight(words[t.id]) / cost[t.id], i, t.id) for i, t in enumerate(d.turns)]
    heapq.heapify(heap)
    order: list[str] = []
    while heap:
        _, i, tid = heapq.heappop(heap)
        gain = idf.weight(words[tid] - held) / cost[tid]
        if heap and gain < -heap[0][0] - 1e-12:
            heapq.heappush(heap, (-gain, i, tid))
            continue
        order.append(tid)
        held |= words[tid]
    return order


def whole_turns(
    d: Dialogue, render: Render, model: str, budget: int, count: Count, idf: Idf
) -> dict[str, Any]:
    """The longest greedy prefix of turns whose rendering fits ``budget`` tokens."""
    order = greedy_order(d, idf)
    lo, hi = 0, len(order)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if count(render(d, model, keep=set(order[:mid]))) <= budget:
            lo = mid
        else:
            hi = mid - 1
    return render(d, model, keep=set(order[:lo]))


def _longest(
    d: Dialogue, render: Render, model: str, budget: int, count: Count, pick: Callable[[int], set[str]]
) -> dict[str, Any]:
    lo, hi = 0, len(d.turns)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if count(render(d, model, keep=pick(mid))) <= budget:
            lo = mid
        else:
            hi = mid - 1
    return render(d, model, keep=pick(lo))


def last_turns(d: Dialogue, render: Render, model: str, budget: int, count: Count) -> dict[str, Any]:
    """Keep-last by turns (a rendering with one message for many turns): the newest that fit."""
    ids = [t.id for t in d.turns]
    return _longest(d, render, model, budget, count, lambda n: set(ids[len(ids) - n :]))


def middle_out_turns(d: Dialogue, render: Render, model: str, budget: int, count: Count) -> dict[str, Any]:
    """Middle-out by turns: both ends kept (the newest first when odd), the middle dropped."""
    ids = [t.id for t in d.turns]
    return _longest(
        d, render, model, budget, count, lambda n: set(ids[: n // 2]) | set(ids[len(ids) - (n - n // 2) :])
    )
