"""The agent-session benchmark's run: every session at ½ and ¾ of its assistant turns, under
each preset, with the checks; the baselines at ctxproxy's balanced size."""

from __future__ import annotations

import json
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from proxy.compress import TokenCounter, violations
from tests.bench.reader import agent as ag
from tests.bench.reader.compaction import API, compress

OUTPUT = 4096  # the window is the request's tokens plus this much output
WINDOW = "its tokens + 4,096"


@dataclass(slots=True)
class Point:
    session: str
    fraction: float
    preset: str
    tokens: int
    size: float
    facts: int
    kept: int
    task: bool
    newest: bool
    paired: bool
    problems: list[str] = field(default_factory=list)
    window: str = WINDOW
    seconds: float = 0.0
    baselines: dict[str, tuple[int, float]] = field(default_factory=dict)  # name → (kept, size)


def load_session(path: Path) -> dict[str, Any]:
    body = json.loads(path.read_text())
    assert isinstance(body, dict) and isinstance(body.get("messages"), list)
    return body


async def run_session(
    name: str,
    body: dict[str, Any],
    presets: list[str],
    counter: TokenCounter,
    fractions: tuple[float, ...] = (0.5, 0.75),
    window_scale: float = 1.0,
    strict: bool = False,
    reserve_in_body: bool = True,
) -> list[Point]:
    model = str(body.get("model") or "gpt-4o")

    def count(b: dict[str, Any]) -> int:
        return counter.count_request(API, b, model)

    out: list[Point] = []
    for fraction, cut in ag.points(body["messages"], fractions):
        request = {**body, "messages": body["messages"][:cut]}
        if reserve_in_body:  # the output reserve in full (a catalog figure is capped at ¼ window)
            request.setdefault("max_tokens", OUTPUT)
        needed = ag.later_facts(body, cut, strict)
        tokens = count(request)
        before = violations(API, request)
        for preset in presets:
            window = int(tokens * window_scale) + OUTPUT
            t0 = time.perf_counter()
            sent, _ = await compress(request, preset, counter, window=window, max_output=OUTPUT, model=model)
            secs = time.perf_counter() - t0
            size = count(sent)
            made = sorted(violations(API, sent) - before)
            p = Point(
                name,
                fraction,
                preset,
                tokens,
                size / tokens,
                len(needed),
                ag.kept(needed, sent),
                ag.task_verbatim(request, sent),
                ag.newest_output_verbatim(request, sent),
                not made,
                made,
                WINDOW if window_scale == 1.0 else f"{window_scale:g} × its tokens + 4,096",
                secs,
            )
            if preset == "balanced" and window_scale == 1.0:
                for bname, fn in (
                    ("observation masking", ag.observation_masking),
                    ("keep-last", ag.keep_last),
                ):
                    b = fn(request, size, count)
                    p.baselines[bname] = (ag.kept(needed, b), count(b) / tokens)
            out.append(p)
    return out


def share(points: list[Point], key: str | None = None) -> float:
    facts = sum(p.facts for p in points)
    if not facts:
        return float("nan")
    got = sum(p.baselines[key][0] if key else p.kept for p in points)
    return got / facts


def mean(values: list[float]) -> float:
    return statistics.fmean(values) if values else float("nan")


def main_table(points: list[Point]) -> list[str]:
    rows = [
        "| point | requests | facts | size | facts kept: ctxproxy (balanced) | observation masking | keep-last "
        "| masking size | keep-last size |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for f in sorted({p.fraction for p in points}):
        ps = [p for p in points if p.fraction == f and p.preset == "balanced" and p.baselines]
        if not ps:
            continue
        rows.append(
            f"| {f:g} | {len(ps)} | {sum(p.facts for p in ps)} | {mean([p.size for p in ps]):.3f} "
            f"| **{share(ps):.3f}** | {share(ps, 'observation masking'):.3f} | {share(ps, 'keep-last'):.3f} "
            f"| {mean([p.baselines['observation masking'][1] for p in ps]):.3f} "
            f"| {mean([p.baselines['keep-last'][1] for p in ps]):.3f} |"
        )
    return rows


def checks_table(points: list[Point]) -> list[str]:
    rows = [
        "| preset | window | points | size | facts kept at ½ | at ¾ | task verbatim | newest output verbatim "
        "| tool results paired | compress time (mean) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    groups: dict[tuple[str, str], list[Point]] = {}
    for p in points:
        groups.setdefault((p.preset, p.window), []).append(p)
    for (preset, label), ps in groups.items():
        n = len(ps)
        half = [p for p in ps if p.fraction == 0.5]
        three = [p for p in ps if p.fraction == 0.75]
        rows.append(
            f"| {preset} | {label} | {n} | {mean([p.size for p in ps]):.3f} | {share(half):.3f} | {share(three):.3f} "
            f"| {sum(p.task for p in ps)}/{n} | {sum(p.newest for p in ps)}/{n} | {sum(p.paired for p in ps)}/{n} "
            f"| {1e3 * mean([p.seconds for p in ps]):.0f} ms |"
        )
    return rows


TARGET_FACTS = 0.90


def targets(points: list[Point]) -> list[str]:
    """The balanced preset's facts against the target; validity at every point of every preset."""
    out: list[str] = []
    for f in sorted({p.fraction for p in points}):
        ps = [p for p in points if p.fraction == f and p.preset == "balanced" and p.window == WINDOW]
        if ps:
            got = share(ps)
            ok = "✓" if got >= TARGET_FACTS else "✗"
            out.append(f"- facts kept at {f:g}, balanced: {ok} {got:.3f} (target ≥ {TARGET_FACTS:g})")
    n = len(points)
    for name, count in (
        ("task verbatim", sum(p.task for p in points)),
        ("newest output verbatim", sum(p.newest for p in points)),
        ("tool results paired", sum(p.paired for p in points)),
    ):
        out.append(f"- {name} at every point and preset: {'✓' if count == n else '✗'} {count}/{n}")
    return out


def failures(points: list[Point]) -> list[str]:
    out: list[str] = []
    for p in points:
        bad = [
            name
            for name, ok in (
                ("task not verbatim", p.task),
                ("newest output not verbatim", p.newest),
                ("unpaired", p.paired),
            )
            if not ok
        ]
        if bad:
            out.append(
                f"- {p.session} at {p.fraction:g}, {p.preset}, window {p.window}: {', '.join(bad)} {' '.join(p.problems)}"
            )
    return out
