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
from tests.bench.reader.agent_wires import WIRES, convert
from tests.bench.reader.compaction import compress
from tests.bench.reader.wire_view import chat_view

OUTPUT = 4096  # the window is the request's tokens plus this much output
WINDOW = "its tokens + 4,096"
# "its tokens" are counted with a plain tiktoken encoding (o200k, gpt-4o's), not with the
# compactor's estimate for the session's model (Claude's, about 1.17× more): the compactor then
# sees a window smaller than the request + 4,096 and lands at ~0.43 of the tokens, as the
# figures these sessions were first measured with did (at 0.48 otherwise).
WINDOW_MODEL = "gpt-4o"


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
    unlisted: int = 0  # facts kept outside the name lists of the proxy's own markers


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
    strict: bool = True,
    reserve_in_body: bool = True,
    window_model: bool = True,
    wire: str = "chat",
    tools: str = "openhands",
) -> list[Point]:
    """``wire``/``tools``: each request converted first (:mod:`tests.bench.reader.agent_wires`);
    the facts and the checks read the converted wire (its chat view)."""
    model = str(body.get("model") or "gpt-4o")
    api = WIRES[wire]

    def count(b: dict[str, Any]) -> int:
        return counter.count_request(api, b, model)

    def view(b: dict[str, Any]) -> dict[str, Any]:
        return chat_view(b, wire)

    whole = view(convert(body, wire, tools))
    turns = ag.assistant_positions(whole["messages"])
    out: list[Point] = []
    for fraction, cut in ag.points(body["messages"], fractions):
        chat = {**body, "messages": body["messages"][:cut]}
        if reserve_in_body:  # the output reserve in full (a catalog figure is capped at ¼ window)
            chat.setdefault("max_tokens", OUTPUT)
        request = convert(chat, wire, tools)
        k = len(ag.assistant_positions(chat["messages"]))  # the point in the converted session
        needed = ag.later_facts(whole, turns[k], strict)
        tokens = count(request)
        own = counter.count_request(api, request, WINDOW_MODEL) if window_model else tokens
        before = violations(api, request)
        for preset in presets:
            window = int(own * window_scale) + OUTPUT
            t0 = time.perf_counter()
            sent, _ = await compress(
                request, preset, counter, window=window, max_output=OUTPUT, model=model, api=api
            )
            secs = time.perf_counter() - t0
            size = count(sent)
            made = sorted(violations(api, sent) - before)
            seen, asked = view(sent), view(request)
            p = Point(
                name,
                fraction,
                preset,
                tokens,
                size / tokens,
                len(needed),
                ag.kept(needed, seen),
                ag.task_verbatim(asked, seen),
                ag.newest_output_verbatim(asked, seen),
                not made,
                made,
                WINDOW if window_scale == 1.0 else f"{window_scale:g} × its tokens + 4,096",
                secs,
            )
            p.unlisted = ag.kept(needed, seen, marker_lists=False)
            if preset == "balanced" and window_scale == 1.0 and wire == "chat":
                for bname, fn in (
                    ("observation masking", ag.observation_masking),
                    ("keep-last", lambda r, n, c: ag.keep_last(r, n, c, fill=False)),
                    ("keep-last, filled", ag.keep_last),
                ):
                    b = fn(request, size, count)
                    p.baselines[bname] = (ag.kept(needed, b), count(b) / tokens)
            out.append(p)
    return out


def share(points: list[Point], key: str | None = None) -> float:
    """Pooled: facts kept over facts needed, every point's facts together."""
    facts = sum(p.facts for p in points)
    if not facts:
        return float("nan")
    got = sum(p.baselines[key][0] if key else p.kept for p in points)
    return got / facts


def unlisted(points: list[Point]) -> str:
    """ctxproxy's share without the facts found only in its markers' name lists."""
    facts = sum(p.facts for p in points)
    each = mean([p.unlisted / p.facts for p in points if p.facts])
    return f"{sum(p.unlisted for p in points) / facts:.3f} ({each:.3f})" if facts else "–"


def per_point(points: list[Point], key: str | None = None) -> float:
    """The mean over the points that need any fact of the share each keeps."""
    return mean([(p.baselines[key][0] if key else p.kept) / p.facts for p in points if p.facts])


def mean(values: list[float]) -> float:
    return statistics.fmean(values) if values else float("nan")


def both(points: list[Point], key: str | None = None) -> str:
    if not any(p.facts for p in points):
        return "– (no facts)"
    return f"{share(points, key):.3f} ({per_point(points, key):.3f})"


BASELINES = ("observation masking", "keep-last", "keep-last, filled")


def main_table(points: list[Point]) -> list[str]:
    rows = [
        "| point | requests (with facts) | facts | size | facts kept: ctxproxy (balanced) "
        "| ctxproxy, not counting its markers' name lists | observation masking "
        "| keep-last | keep-last, filled | masking size | keep-last size | filled size |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for f in sorted({p.fraction for p in points}):
        ps = [p for p in points if p.fraction == f and p.preset == "balanced" and p.baselines]
        if not ps:
            continue
        sizes = " | ".join(f"{mean([p.baselines[b][1] for p in ps]):.3f}" for b in BASELINES)
        rows.append(
            f"| {f:g} | {len(ps)} ({sum(1 for p in ps if p.facts)}) | {sum(p.facts for p in ps)} "
            f"| {mean([p.size for p in ps]):.3f} | **{both(ps)}** | {unlisted(ps)} | "
            + " | ".join(both(ps, b) for b in BASELINES)
            + f" | {sizes} |"
        )
    return rows


def _by_preset(points: list[Point]) -> dict[tuple[str, str], list[Point]]:
    """The points of each (preset, window), in first-seen order."""
    groups: dict[tuple[str, str], list[Point]] = {}
    for p in points:
        groups.setdefault((p.preset, p.window), []).append(p)
    return groups


def _cells(ps: list[Point]) -> tuple[list[Point], list[Point], str]:
    """The ½ points, the ¾ points, and the checks' cells (task | newest output | paired)."""
    n = len(ps)
    checks = (
        f"{sum(p.task for p in ps)}/{n} | {sum(p.newest for p in ps)}/{n} | {sum(p.paired for p in ps)}/{n}"
    )
    return [p for p in ps if p.fraction == 0.5], [p for p in ps if p.fraction == 0.75], checks


def checks_table(points: list[Point]) -> list[str]:
    rows = [
        "| preset | window | points | size | facts kept at ½ | at ¾ | task verbatim | newest output verbatim "
        "| tool results paired | compress time (mean) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for (preset, label), ps in _by_preset(points).items():
        half, three, checks = _cells(ps)
        rows.append(
            f"| {preset} | {label} | {len(ps)} | {mean([p.size for p in ps]):.3f} | {both(half)} | {both(three)} "
            f"| {checks} | {1e3 * mean([p.seconds for p in ps]):.0f} ms |"
        )
    return rows


def combos_table(by_combo: dict[tuple[str, str], list[Point]]) -> list[str]:
    """One row per wire × tool vocabulary × preset × window: the facts kept and the checks."""
    rows = [
        "| wire | tools | preset | window | facts at ½ / ¾ | size | facts kept at ½ | at ¾ | task verbatim "
        "| newest output verbatim | tool results paired |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for (wire, tools), points in by_combo.items():
        for (preset, label), ps in _by_preset(points).items():
            half, three, checks = _cells(ps)
            rows.append(
                f"| {wire} | {tools} | {preset} | {label} | {sum(p.facts for p in half)} / "
                f"{sum(p.facts for p in three)} | {mean([p.size for p in ps]):.3f} | {both(half)} "
                f"| {both(three)} | {checks} |"
            )
    return rows


TARGET_FACTS = 0.90


def targets(points: list[Point]) -> list[str]:
    """The balanced preset's facts against the target; validity at every point of every preset."""
    out: list[str] = []
    for f in sorted({p.fraction for p in points}):
        ps = [p for p in points if p.fraction == f and p.preset == "balanced" and p.window == WINDOW]
        if ps:
            got, each = share(ps), per_point(ps)
            ok = "✓" if min(got, each) >= TARGET_FACTS else "✗"
            out.append(
                f"- facts kept at {f:g}, balanced: {ok} {got:.3f} pooled, {each:.3f} mean per point "
                f"(target ≥ {TARGET_FACTS:g}, both)"
            )
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
