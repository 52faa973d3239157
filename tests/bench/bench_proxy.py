"""Latency the proxy adds vs talking to the upstream directly, and vs the physical floor.

Run: ``.venv/bin/python tests/bench/bench_proxy.py [--quick] [--only TEXT] [--no-rps] [--profile FILE]``

Four processes: a mock upstream (``_mock_upstream.py``, reads bodies, never parses them), the
proxy (``python -m proxy serve`` with a temporary config whose ``openai`` upstream is the
mock), the floor (``_floor_proxy.py``: a minimal aiohttp pass-through to the same mock,
nothing parsed) and this load generator (one shared aiohttp ``ClientSession``, keep-alive).
Every measurement is taken against the mock directly, through the floor and through the proxy
in the same run, interleaved (request by request at concurrency 1, the order of the three
rotated every triple; rotated rounds at concurrency 32) so that machine noise hits every side
alike; figures are medians/percentiles over all samples.

Then, in-process, the memoized pre-flight at 200k tokens (``_preflight.py``; scenario name
"pre-flight 200k", so ``--only pre-flight`` runs it alone and ``--only "chat JSON"`` skips it).

Prints markdown tables; the "Proxy vs the floor" section is ready to paste into
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import itertools
import os
import platform
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import orjson
from _preflight import TARGET_MS, PreflightRow
from _preflight import measure as measure_preflight
from _util import (
    REPO,
    cpu_s,
    free_port,
    markdown_table,
    median,
    percentile,
    rss_mb,
    spawn,
    stop,
    wait_http_ok,
)

KB = 1024
CONCURRENCY = 32
BLOCKS = 5  # concurrency-1 triples are split in blocks; figures are medians over blocks
SIDES = ("direct", "floor", "proxy")
ORDERS = list(itertools.permutations(SIDES))  # cycled request by request
NEAR = "400 KB chat JSON near the trigger"
NEAR_NEXT = "400 KB chat JSON near the trigger, a new last message each time"
NEXT_TURN = "400 KB chat JSON, a new last message each time"
OTHER_CONV = "400 KB chat JSON, another conversation each time"
FLOOR_TARGETS = {
    "2 KB chat JSON": 1.3,
    "400 KB chat JSON": 1.3,
    NEXT_TURN: 1.3,
    OTHER_CONV: 1.3,
    NEAR: 1.6,
    NEAR_NEXT: 1.6,
}
# (ctxproxy ÷ floor, p50)
PREFLIGHT = "pre-flight 200k"
# A catalog override for the near-the-trigger scenario: the 400 KB body (≈65k tokens) is under
# this model's trigger (≈92k tokens), but its bytes are not, so only counting can tell.
NEAR_MODEL, NEAR_WINDOW, NEAR_OUTPUT = "bench-near-trigger", 131_072, 16_384


@dataclass(frozen=True)
class Scenario:
    name: str
    size_kb: int
    tail: str  # path after /v1 (direct) or /openai (proxy)
    sse: bool
    body: bytes
    # where each request's body differs from the one before (8 bytes of a message's text): "" the
    # same body every time; "last": the newest message (a conversation's next turn); "first":
    # the system message (another conversation of the same client, same first 64 bytes)
    vary: str = ""

    def body_at(self, n: int) -> bytes:
        if not self.vary:
            return self.body
        key = b'"content":"'
        at = (self.body.rfind(key) if self.vary == "last" else self.body.find(key)) + len(key) + 10
        return self.body[:at] + b"%08d" % (n % 10**8) + self.body[at + 8 :]

    @property
    def headers(self) -> dict[str, str]:
        h = {"Content-Type": "application/json", "Authorization": "Bearer sk-bench-client"}
        if self.sse:
            h["x-bench-sse"] = "1"
        return h


@dataclass
class Samples:
    latency_ms: list[float] = field(default_factory=list)
    ttfb_ms: list[float] = field(default_factory=list)
    overhead_ms: list[float] = field(default_factory=list)  # proxy's own x-ctxproxy-overhead-ms
    compressed: set[str] = field(default_factory=set)  # x-ctxproxy-compressed values seen


def chat_body(size: int, model: str) -> bytes:
    """A Chat Completions request of about ``size`` bytes: system prompt + alternating turns."""
    words = "agent context tool result file diff test patch review summary plan step".split()
    messages: list[dict[str, str]] = [{"role": "system", "content": "You are a careful coding agent."}]
    body: dict[str, object] = {"model": model, "messages": messages, "stream": False}
    turn = 0
    while len(orjson.dumps(body)) < size:
        text = " ".join(words[(turn * 7 + i) % len(words)] for i in range(300))
        messages.append({"role": "user" if turn % 2 == 0 else "assistant", "content": text})
        turn += 1
    last = messages[-1]
    excess = len(orjson.dumps(body)) - size
    last["content"] = last["content"][: max(1, len(last["content"]) - excess)]
    return orjson.dumps(body)


def scenarios(model: str) -> list[Scenario]:
    out = []
    for size_kb in (2, 400):
        body = chat_body(size_kb * KB, model)
        out.append(Scenario(f"{size_kb} KB chat JSON", size_kb, "chat/completions", False, body))
        out.append(Scenario(f"{size_kb} KB chat SSE", size_kb, "chat/completions", True, body))
        out.append(Scenario(f"{size_kb} KB non-chat JSON", size_kb, "embeddings", False, body))
    body = chat_body(400 * KB, model)
    out.append(Scenario(NEXT_TURN, 400, "chat/completions", False, body, vary="last"))
    out.append(Scenario(OTHER_CONV, 400, "chat/completions", False, body, vary="first"))
    near = chat_body(400 * KB, NEAR_MODEL)
    out.append(Scenario(NEAR, 400, "chat/completions", False, near))
    out.append(Scenario(NEAR_NEXT, 400, "chat/completions", False, near, vary="last"))
    return out


class Client:
    def __init__(self, session: aiohttp.ClientSession, base: dict[str, str], pids: dict[str, int]) -> None:
        self.session = session
        self.base = base  # side ("direct" | "floor" | "proxy") → URL prefix
        self.pids = pids  # "mock" | "floor" | "proxy" → process id
        self.sent = 0  # requests sent (a varying scenario's body counter)

    async def one(self, side: str, sc: Scenario, into: Samples | None) -> None:
        url = f"{self.base[side]}/{sc.tail}"
        self.sent += 1
        body = sc.body_at(self.sent)
        t0 = time.perf_counter()
        async with self.session.post(url, data=body, headers=sc.headers) as resp:
            await resp.content.readany()
            t_first = time.perf_counter()
            while await resp.content.readany():
                pass
            if resp.status != 200:
                raise RuntimeError(f"{side} {sc.name}: HTTP {resp.status}")
            overhead = resp.headers.get("x-ctxproxy-overhead-ms")
            compressed = resp.headers.get("x-ctxproxy-compressed")
        t_end = time.perf_counter()
        if into is not None:
            into.latency_ms.append((t_end - t0) * 1000.0)
            into.ttfb_ms.append((t_first - t0) * 1000.0)
            if overhead is not None:
                into.overhead_ms.append(float(overhead))
            if compressed is not None:
                into.compressed.add(compressed)

    async def same_answer(self, sc: Scenario) -> None:
        """Every side must return the mock's bytes and content type: the floor and the proxy
        pass the response through, they do not answer by themselves."""
        got = {}
        for side in SIDES:
            async with self.session.post(
                f"{self.base[side]}/{sc.tail}", data=sc.body, headers=sc.headers
            ) as r:
                got[side] = (r.status, r.headers.get("Content-Type"), await r.read())
        if len(set(got.values())) != 1:
            summary = {side: (st, ct, len(body)) for side, (st, ct, body) in got.items()}
            raise RuntimeError(f"{sc.name}: sides answer differently: {summary}")

    async def serial(self, sc: Scenario, triples: int, warmup: int) -> list[Block]:
        """Concurrency 1, direct, floor and proxy in turn (all six orders cycled), in blocks."""
        for _ in range(warmup):
            for side in SIDES:
                await self.one(side, sc, None)
        blocks = []
        for _ in range(BLOCKS):
            got: Block = {side: Samples() for side in SIDES}
            for i in range(triples // BLOCKS):
                for side in ORDERS[i % len(ORDERS)]:
                    await self.one(side, sc, got[side])
            blocks.append(got)
        return blocks

    async def rps(self, side: str, sc: Scenario, total: int, cpu: CpuUse | None = None) -> float:
        left = total

        async def worker() -> None:
            nonlocal left
            while left > 0:
                left -= 1
                await self.one(side, sc, None)

        before = self.cpu_now(side)
        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        elapsed = time.perf_counter() - t0
        if cpu is not None:
            cpu.add(total, before, self.cpu_now(side))
        return total / elapsed

    def cpu_now(self, side: str) -> tuple[float, float, float]:
        """CPU seconds so far of the client, the mock and the side's middle process (if any)."""
        middle = cpu_s(self.pids[side]) if side in self.pids else 0.0
        return time.process_time(), cpu_s(self.pids["mock"]), middle

    async def rps_rounds(self, sc: Scenario, total: int, rounds: int) -> Throughput:
        """Rounds at concurrency 32 after a short warm-up, the side order rotated every
        round; medians of the rounds."""
        for side in SIDES:
            await self.rps(side, sc, total // 4)
        rps: dict[str, list[float]] = {side: [] for side in SIDES}
        cpu = {side: CpuUse() for side in SIDES}
        for r in range(rounds):
            for side in ORDERS[(r * 3) % len(ORDERS)]:
                rps[side].append(await self.rps(side, sc, total, cpu[side]))
        ratios = [p / d for p, d in zip(rps["proxy"], rps["direct"], strict=True)]
        floor_ratios = [p / f for p, f in zip(rps["proxy"], rps["floor"], strict=True)]
        return Throughput(
            median(rps["direct"]),
            median(rps["proxy"]),
            median(ratios),
            cpu,
            floor=median(rps["floor"]),
            proxy_over_floor=median(floor_ratios),
        )


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


async def run(
    base: dict[str, str],
    pids: dict[str, int],
    all_sc: list[Scenario],
    quick: bool,
    with_rps: bool,
    progress: Callable[[str], None],
) -> Result:
    res = Result(
        rss={"idle after start": rss_mb(pids["proxy"]), "floor idle after start": rss_mb(pids["floor"])}
    )
    scale = 4 if quick else 1
    rounds = 2 if quick else 4
    connector = aiohttp.TCPConnector(limit=2 * CONCURRENCY, keepalive_timeout=60)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout, auto_decompress=False) as session:
        client = Client(session, base, pids)
        for sc in all_sc:
            await client.same_answer(sc)
            triples = (1000 if sc.size_kb < 100 else 500) // scale
            progress(f"c=1  {sc.name}: {triples} interleaved triples (direct, floor, proxy)")
            res.serial[sc.name] = await client.serial(sc, triples, warmup=max(10, triples // 10))
        for sc in all_sc if with_rps else []:
            total = (800 if sc.size_kb < 100 else 240) // scale
            progress(f"c={CONCURRENCY} {sc.name}: {rounds} rotated rounds x {total} requests per side")
            res.rps[sc.name] = await client.rps_rounds(sc, total, rounds)
    res.rss["peak under load (VmHWM)"] = rss_mb(pids["proxy"], "VmHWM")
    await asyncio.sleep(1.0)
    res.rss["idle after load"] = rss_mb(pids["proxy"])
    return res


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


def write_config(path: Path, proxy_port: int, mock_port: int, cache_dir: Path) -> None:
    config = {
        "server": {"host": "127.0.0.1", "port": proxy_port, "workers": 1},
        "upstreams": {
            "openai": {"base_url": f"http://127.0.0.1:{mock_port}/v1", "api": "openai", "api_key_env": None}
        },
        "catalog": {
            "refresh_on_start": False,
            "sources": ["litellm"],
            "cache_dir": str(cache_dir),
            "overrides": {NEAR_MODEL: {"context_window": NEAR_WINDOW, "max_output_tokens": NEAR_OUTPUT}},
        },
    }
    path.write_bytes(orjson.dumps(config))  # JSON is YAML


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="a quarter of the requests (smoke run)")
    parser.add_argument(
        "--model", default="gpt-4.1", help="model in the request bodies (large window: no compression)"
    )
    parser.add_argument("--profile", metavar="FILE", help="run the proxy under cProfile, write stats to FILE")
    parser.add_argument(
        "--only",
        metavar="TEXT",
        help=f'run only the scenarios whose name contains TEXT ("chat JSON", "SSE", "{PREFLIGHT}", …)',
    )
    parser.add_argument("--no-rps", action="store_true", help="skip the concurrency-32 throughput rounds")
    parser.add_argument(
        "--proxy-env",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="extra environment for the proxy, e.g. CTXPROXY_LOGGING__LEVEL=warning (repeatable)",
    )
    args = parser.parse_args()
    proxy_env = dict(item.split("=", 1) for item in args.proxy_env)
    chosen = [sc for sc in scenarios(args.model) if not args.only or args.only in sc.name]
    want_preflight = not args.only or args.only in PREFLIGHT

    def progress(msg: str) -> None:
        print(f"# {msg}", file=sys.stderr, flush=True)

    res = Result()
    with asyncio.Runner(loop_factory=_loop_factory()) as runner:
        if chosen:
            res = run_http(runner, chosen, args, proxy_env, progress)
        if want_preflight:
            res.preflight = runner.run(measure_preflight(50 if args.quick else 200, progress))
    env = environment(args.quick, res, args.model)
    print(f"## Proxy benchmark\n\n{env}\n")
    if res.serial:
        print(summary_table(res))
        print()
        print(detail_tables(res))
        print()
    print(floor_section(env, res, sys.argv[1:]))
    return 0


def run_http(
    runner: asyncio.Runner,
    chosen: list[Scenario],
    args: argparse.Namespace,
    proxy_env: dict[str, str],
    progress: Callable[[str], None],
) -> Result:
    """Start the mock, the floor and the proxy; measure ``chosen``; stop them."""
    with tempfile.TemporaryDirectory(prefix="ctxproxy-bench-") as tmp_name:
        tmp = Path(tmp_name)
        mock_port, floor_port, proxy_port = free_port(), free_port(), free_port()
        config = tmp / "bench.yaml"
        write_config(config, proxy_port, mock_port, tmp / "cache")
        here = Path(__file__).resolve().parent
        mock = spawn([str(here / "_mock_upstream.py"), str(mock_port)], tmp / "mock.log")
        floor = spawn(
            [str(here / "_floor_proxy.py"), str(floor_port), f"http://127.0.0.1:{mock_port}/v1"],
            tmp / "floor.log",
        )
        profile = ["-m", "cProfile", "-o", str(Path(args.profile).resolve())] if args.profile else []
        proxy = spawn(
            [*profile, "-m", "proxy", "serve", "--config", str(config)], tmp / "proxy.log", proxy_env
        )
        try:
            wait_http_ok(f"http://127.0.0.1:{mock_port}/health", mock)
            wait_http_ok(f"http://127.0.0.1:{floor_port}/health", floor)
            wait_http_ok(f"http://127.0.0.1:{proxy_port}/readyz", proxy)
            time.sleep(0.5)  # let start-up allocations settle before the idle RSS reading
            base = {
                "direct": f"http://127.0.0.1:{mock_port}/v1",
                "floor": f"http://127.0.0.1:{floor_port}",
                "proxy": f"http://127.0.0.1:{proxy_port}/openai",
            }
            pids = {"mock": mock.pid, "floor": floor.pid, "proxy": proxy.pid}
            return runner.run(run(base, pids, chosen, args.quick, not args.no_rps, progress))
        except Exception:
            for name in ("proxy.log", "floor.log"):
                sys.stderr.write((tmp / name).read_text(errors="replace")[-4000:])
            raise
        finally:
            stop(proxy)
            stop(floor)
            stop(mock)


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop  # type: ignore[no-any-return]


if __name__ == "__main__":
    raise SystemExit(main())
