"""The proxy benchmark's results and its tables: what ``bench_proxy.py`` measured, and the
markdown it prints (the "Proxy vs the floor" section is ready to paste into docs/benchmarks.md)."""

from __future__ import annotations

import datetime as dt
import os
import platform
import shlex
import subprocess
from dataclasses import dataclass, field

import aiohttp
from _preflight import TARGET_MS, PreflightRow
from _proxy_scenarios import NEAR, NEAR_NEXT, NEXT_TURN, OTHER_CONV
from _util import REPO, markdown_table, median, percentile

CONCURRENCY = 32
FLOOR_TARGETS = {
    "2 KB chat JSON": 1.3,
    "400 KB chat JSON": 1.3,
    NEXT_TURN: 1.3,
    OTHER_CONV: 1.3,
    NEAR: 1.6,
    NEAR_NEXT: 1.6,
}
# (ctxproxy ÷ floor, p50)


@dataclass
class Samples:
    latency_ms: list[float] = field(default_factory=list)
    ttfb_ms: list[float] = field(default_factory=list)
    overhead_ms: list[float] = field(default_factory=list)  # proxy's own x-ctxproxy-overhead-ms
    compressed: set[str] = field(default_factory=set)  # x-ctxproxy-compressed values seen


@dataclass
class CpuUse:
    """CPU time of each process during one side's rounds, per request."""

    requests: int = 0
    seconds: list[float] = field(default_factory=lambda: [0.0, 0.0, 0.0])  # client, mock, middle

    def add(self, n: int, before: tuple[float, ...], after: tuple[float, ...]) -> None:
        self.requests += n
        self.seconds = [acc + b - a for acc, a, b in zip(self.seconds, before, after, strict=True)]

    def per_request_us(self) -> list[float]:
        return [1e6 * s / max(1, self.requests) for s in self.seconds]


@dataclass
class Throughput:
    direct: float
    proxy: float
    ratio: float
    cpu: dict[str, CpuUse]
    floor: float = 0.0  # the floor's RPS
    proxy_over_floor: float = 0.0


Block = dict[str, Samples]  # side ("direct" | "floor" | "proxy") → samples of one block of triples


@dataclass
class Result:
    serial: dict[str, list[Block]] = field(default_factory=dict)
    rps: dict[str, Throughput] = field(default_factory=dict)
    rss: dict[str, float] = field(default_factory=dict)
    preflight: list[PreflightRow] = field(default_factory=list)


def pct(blocks: list[Block], side: str, q: float, attr: str = "latency_ms") -> float:
    """The median over blocks of one side's ``q``-th percentile."""
    return median([percentile(getattr(b[side], attr), q) for b in blocks])


def added(blocks: list[Block], q: float, attr: str = "latency_ms", side: str = "proxy") -> float:
    """Median over blocks of (side's percentile − direct percentile): a noisy block is outvoted."""
    return median(
        [percentile(getattr(b[side], attr), q) - percentile(getattr(b["direct"], attr), q) for b in blocks]
    )


def verdict(ok: bool) -> str:
    return "met" if ok else "**not met**"


def summary_table(res: Result) -> str:
    rows: list[list[str]] = []

    def row(what: str, value: float, unit: str, target: float, higher_is_better: bool = False) -> None:
        ok = value >= target if higher_is_better else value <= target
        sign = "≥" if higher_is_better else "≤"
        rows.append([what, f"{value:.3f} {unit}".strip(), f"{sign}{target:g} {unit}".strip(), verdict(ok)])

    for name, got in res.serial.items():
        if name.startswith("2 KB"):
            row(f"{name}: added p50", added(got, 50), "ms", 0.35)
            row(f"{name}: added p99", added(got, 99), "ms", 1.0)
        else:
            row(f"{name}: added p50", added(got, 50), "ms", 1.2)
    for name, tp in res.rps.items():
        if name.startswith("400 KB") and not name.endswith("SSE"):
            row(f"{name}: RPS proxy/direct at c={CONCURRENCY}", tp.ratio, "×", 0.95, higher_is_better=True)
    for name, got in res.serial.items():
        if name.endswith("SSE"):
            row(f"{name}: streaming TTFB added p50", added(got, 50, "ttfb_ms"), "ms", 1.0)
    row("proxy RSS idle after start", res.rss["idle after start"], "MB", 120)
    return markdown_table(["measure", "measured", "target", "verdict"], rows)


def detail_tables(res: Result) -> str:
    lat_rows = []
    for name, got in res.serial.items():
        ttfb = (
            f"{added(got, 50, 'ttfb_ms'):.3f} / {added(got, 99, 'ttfb_ms'):.3f}"
            if name.endswith("SSE")
            else "–"
        )
        own_ms = [ms for b in got for ms in b["proxy"].overhead_ms]
        own = f"{median(own_ms):.3f}" if own_ms else "–"
        compressed = ",".join(sorted({c for b in got for c in b["proxy"].compressed})) or "–"
        lat_rows.append(
            [
                name,
                f"{len(got)} × {len(got[0]['direct'].latency_ms)}",
                f"{pct(got, 'direct', 50):.3f} / {pct(got, 'direct', 99):.3f}",
                f"{pct(got, 'proxy', 50):.3f} / {pct(got, 'proxy', 99):.3f}",
                f"{added(got, 50):.3f} / {added(got, 99):.3f}",
                ttfb,
                own,
                compressed,
            ]
        )
    rps_rows = []
    for name, tp in res.rps.items():
        direct_cpu, proxy_cpu = tp.cpu["direct"].per_request_us(), tp.cpu["proxy"].per_request_us()
        floor_cpu = tp.cpu["floor"].per_request_us()
        rps_rows.append(
            [
                name,
                f"{tp.direct:.0f}",
                f"{tp.floor:.0f}",
                f"{tp.proxy:.0f}",
                f"{tp.ratio:.2f}×",
                f"{tp.proxy_over_floor:.2f}×",
                f"{direct_cpu[0]:.0f} + {direct_cpu[1]:.0f}",
                f"{floor_cpu[0]:.0f} + {floor_cpu[1]:.0f} + **{floor_cpu[2]:.0f}**",
                f"{proxy_cpu[0]:.0f} + {proxy_cpu[1]:.0f} + **{proxy_cpu[2]:.0f}**",
            ]
        )
    rss_rows = [[k, f"{v:.1f}"] for k, v in res.rss.items()]
    return "\n\n".join(
        [
            "Concurrency 1 (ms, p50 / p99, medians over blocks; direct, floor and proxy requests interleaved):\n\n"
            + markdown_table(
                [
                    "scenario",
                    "blocks × triples",
                    "direct",
                    "proxy",
                    "added",
                    "SSE TTFB added",
                    "proxy's own overhead p50",
                    "x-ctxproxy-compressed",
                ],
                lat_rows,
            ),
            f"Concurrency {CONCURRENCY} (requests/s, median of rotated rounds):\n\n"
            + markdown_table(
                [
                    "scenario",
                    "direct RPS",
                    "floor RPS",
                    "proxy RPS",
                    "proxy/direct",
                    "proxy/floor",
                    "CPU µs/req direct: client + mock",
                    "CPU µs/req via floor: client + mock + **floor**",
                    "CPU µs/req via proxy: client + mock + **proxy**",
                ],
                rps_rows,
            ),
            "Proxy (and floor) process RSS (MiB):\n\n" + markdown_table(["when", "RSS"], rss_rows),
        ]
    )


def ratio(num: float, den: float) -> str:
    return f"{num / den:.2f}×" if den > 0 else "–"


def floor_table(res: Result) -> str:
    """Added latency (vs direct) of the floor and of ctxproxy, and ctxproxy ÷ floor."""
    rows = []
    for name, got in res.serial.items():
        f50, f99 = added(got, 50, side="floor"), added(got, 99, side="floor")
        p50, p99 = added(got, 50), added(got, 99)
        target = FLOOR_TARGETS.get(name)
        ok = f50 > 0 and target is not None and p50 / f50 <= target
        rows.append(
            [
                name,
                f"{pct(got, 'direct', 50):.3f} / {pct(got, 'direct', 99):.3f}",
                f"{f50:.3f} / {f99:.3f}",
                f"{p50:.3f} / {p99:.3f}",
                f"{p50 - f50:.3f}",
                ratio(p50, f50),
                ratio(p99, f99),
                (f"≤{target:g}×: " + verdict(ok)) if target is not None else "–",
            ]
        )
    return markdown_table(
        [
            "scenario",
            "direct p50 / p99",
            "floor added p50 / p99",
            "ctxproxy added p50 / p99",
            "ctxproxy − floor p50",
            "ctxproxy ÷ floor p50",
            "ctxproxy ÷ floor p99",
            "target (p50)",
        ],
        rows,
    )


def floor_cpu_table(res: Result) -> str:
    rows = []
    for name, tp in res.rps.items():
        floor_us, proxy_us = tp.cpu["floor"].per_request_us()[2], tp.cpu["proxy"].per_request_us()[2]
        rows.append(
            [
                name,
                f"{floor_us:.0f}",
                f"{proxy_us:.0f}",
                ratio(proxy_us, floor_us),
                f"{tp.floor:.0f} / {tp.proxy:.0f}",
                f"{tp.proxy_over_floor:.2f}×",
            ]
        )
    return markdown_table(
        [
            "scenario",
            "floor CPU µs/req",
            "ctxproxy CPU µs/req",
            "ctxproxy ÷ floor CPU",
            "RPS floor / ctxproxy",
            "ctxproxy RPS ÷ floor RPS",
        ],
        rows,
    )


def preflight_table(rows: list[PreflightRow]) -> str:
    out = []
    for r in rows:
        warm = r.resend_ms + r.next_turn_ms
        worst = max(median(r.resend_ms), median(r.next_turn_ms))
        target = (
            (f"≤{TARGET_MS:g} ms: " + verdict(worst <= TARGET_MS))
            if r.gated
            else "– (a compacted conversation's next turn: ≤10 ms)"
        )
        out.append(
            [
                f"{r.label}, {r.tokens:,} tokens, {r.mb:.2f} MB",
                f"{r.cold_ms:.3f}",
                f"{median(r.resend_ms):.3f} / {percentile(r.resend_ms, 99):.3f}",
                f"{median(r.next_turn_ms):.3f} / {percentile(r.next_turn_ms, 99):.3f}",
                f"{min(warm):.3f}",
                f"{median(r.parse_ms):.3f}",
                f"{median(r.after_send_ms):.3f}" if r.after_send_ms else "–",
                r.decided,
                target,
            ]
        )
    n = len(rows[0].resend_ms) if rows else 0
    return f"In-process `prepare()` of the app's chat hooks, {n} calls per column (ms):\n\n" + markdown_table(
        [
            "conversation seen before",
            "first call (cold)",
            "resend p50 / p99",
            "next turn p50 / p99",
            "best",
            "orjson parse p50 (forwarder, not included)",
            "after the send p50 (fast path: the estimate; else stats, bill, log; not included)",
            "x-ctxproxy-compressed",
            "target",
        ],
        out,
    )


def floor_section(env: str, res: Result, argv: list[str]) -> str:
    """The "Proxy vs the floor" section, ready to paste into docs/benchmarks.md."""
    load = os.getloadavg()
    command = shlex.join(["tests/bench/bench_proxy.py", *argv])
    parts = [
        "### Proxy vs the floor",
        f"**Command:** `.venv/bin/python {command}`",
        f"**Run:** {env} · load average at the end {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1 / 5 / 15 min)",
    ]
    if res.serial:
        parts.append(
            "Concurrency 1, ms; *added* = side minus direct, medians over blocks of per-block "
            "percentiles; direct, floor and ctxproxy requests interleaved in one run:\n\n" + floor_table(res)
        )
    if res.rps:
        parts.append(
            f"Concurrency {CONCURRENCY}, CPU time of the middle process per request (µs; less sensitive "
            "to other load than latency) and throughput:\n\n" + floor_cpu_table(res)
        )
    if res.preflight:
        parts.append("#### Memoized pre-flight at 200k tokens\n\n" + preflight_table(res.preflight))
    return "\n\n".join(parts)


def environment(quick: bool, res: Result, model: str) -> str:
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True, check=False
        ).stdout.strip()
    except OSError:
        commit = "?"
    return (
        f"{dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')} · commit {commit or '?'} · "
        f"{os.cpu_count()} CPUs · Python {platform.python_version()} · aiohttp {aiohttp.__version__} · "
        f"model {model} · {'--quick' if quick else 'full'} run"
    )
