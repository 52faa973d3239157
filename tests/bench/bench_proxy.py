"""Issue 2 benchmark: latency the proxy adds vs talking to the upstream directly.

Run: ``.venv/bin/python tests/bench/bench_proxy.py [--quick] [--profile FILE]``

Three processes: a mock upstream (``_mock_upstream.py``), the proxy (``python -m proxy serve``
with a temporary config whose ``openai`` upstream is the mock) and this load generator (one
shared aiohttp ``ClientSession``, keep-alive). Every measurement is taken against the mock
directly and through the proxy in the same run, interleaved (alternating request by request at
concurrency 1, ABBA rounds at concurrency 32) so that machine noise hits both sides alike;
figures are medians/percentiles over all samples. Prints markdown tables.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import orjson
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
BLOCKS = 5  # concurrency-1 pairs are split in blocks; figures are medians over blocks


@dataclass(frozen=True)
class Scenario:
    name: str
    size_kb: int
    tail: str  # path after /v1 (direct) or /openai (proxy)
    sse: bool
    body: bytes

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
    return out


class Client:
    def __init__(self, session: aiohttp.ClientSession, base: dict[str, str], pids: dict[str, int]) -> None:
        self.session = session
        self.base = base  # side ("direct" | "proxy") → URL prefix
        self.pids = pids  # "mock" | "proxy" → process id

    async def one(self, side: str, sc: Scenario, into: Samples | None) -> None:
        url = f"{self.base[side]}/{sc.tail}"
        t0 = time.perf_counter()
        async with self.session.post(url, data=sc.body, headers=sc.headers) as resp:
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

    async def serial(self, sc: Scenario, pairs: int, warmup: int) -> list[Block]:
        """Concurrency 1, direct and proxy alternating (order flipped every pair), in blocks."""
        for _ in range(warmup):
            await self.one("direct", sc, None)
            await self.one("proxy", sc, None)
        blocks = []
        for _ in range(BLOCKS):
            got: Block = {"direct": Samples(), "proxy": Samples()}
            for i in range(pairs // BLOCKS):
                order = ("direct", "proxy") if i % 2 == 0 else ("proxy", "direct")
                for side in order:
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

        before = self.cpu_now()
        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        elapsed = time.perf_counter() - t0
        if cpu is not None:
            cpu.add(total, before, self.cpu_now())
        return total / elapsed

    def cpu_now(self) -> tuple[float, float, float]:
        return time.process_time(), cpu_s(self.pids["mock"]), cpu_s(self.pids["proxy"])

    async def rps_rounds(self, sc: Scenario, total: int, rounds: int) -> Throughput:
        """ABBA rounds at concurrency 32 after a short warm-up; medians of the rounds."""
        await self.rps("direct", sc, total // 4)
        await self.rps("proxy", sc, total // 4)
        rps: dict[str, list[float]] = {"direct": [], "proxy": []}
        cpu = {"direct": CpuUse(), "proxy": CpuUse()}
        for r in range(rounds):
            order = ("direct", "proxy") if r % 2 == 0 else ("proxy", "direct")
            for side in order:
                rps[side].append(await self.rps(side, sc, total, cpu[side]))
        ratios = [p / d for p, d in zip(rps["proxy"], rps["direct"], strict=True)]
        return Throughput(median(rps["direct"]), median(rps["proxy"]), median(ratios), cpu)


@dataclass
class CpuUse:
    """CPU time of each process during one side's rounds, per request."""

    requests: int = 0
    seconds: list[float] = field(default_factory=lambda: [0.0, 0.0, 0.0])  # client, mock, proxy

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


Block = dict[str, Samples]  # side ("direct" | "proxy") → samples of one block of pairs


@dataclass
class Result:
    serial: dict[str, list[Block]] = field(default_factory=dict)
    rps: dict[str, Throughput] = field(default_factory=dict)
    rss: dict[str, float] = field(default_factory=dict)


def pct(blocks: list[Block], side: str, q: float, attr: str = "latency_ms") -> float:
    """The median over blocks of one side's ``q``-th percentile."""
    return median([percentile(getattr(b[side], attr), q) for b in blocks])


def added(blocks: list[Block], q: float, attr: str = "latency_ms") -> float:
    """Median over blocks of (proxy percentile − direct percentile): a noisy block is outvoted."""
    return median(
        [percentile(getattr(b["proxy"], attr), q) - percentile(getattr(b["direct"], attr), q) for b in blocks]
    )


async def run(
    base: dict[str, str],
    pids: dict[str, int],
    all_sc: list[Scenario],
    quick: bool,
    progress: Callable[[str], None],
) -> Result:
    res = Result(rss={"idle after start": rss_mb(pids["proxy"])})
    scale = 4 if quick else 1
    rounds = 2 if quick else 4
    connector = aiohttp.TCPConnector(limit=2 * CONCURRENCY, keepalive_timeout=60)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout, auto_decompress=False) as session:
        client = Client(session, base, pids)
        for sc in all_sc:
            pairs = (1000 if sc.size_kb < 100 else 500) // scale
            progress(f"c=1  {sc.name}: {pairs} interleaved pairs")
            res.serial[sc.name] = await client.serial(sc, pairs, warmup=max(10, pairs // 10))
        for sc in all_sc:
            total = (800 if sc.size_kb < 100 else 240) // scale
            progress(f"c={CONCURRENCY} {sc.name}: {rounds} ABBA rounds x {total} requests per side")
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
        rps_rows.append(
            [
                name,
                f"{tp.direct:.0f}",
                f"{tp.proxy:.0f}",
                f"{tp.ratio:.2f}×",
                f"{direct_cpu[0]:.0f} + {direct_cpu[1]:.0f}",
                f"{proxy_cpu[0]:.0f} + {proxy_cpu[1]:.0f} + **{proxy_cpu[2]:.0f}**",
            ]
        )
    rss_rows = [[k, f"{v:.1f}"] for k, v in res.rss.items()]
    return "\n\n".join(
        [
            "Concurrency 1 (ms, p50 / p99, medians over blocks; direct and proxy requests alternate):\n\n"
            + markdown_table(
                [
                    "scenario",
                    "blocks × pairs",
                    "direct",
                    "proxy",
                    "added",
                    "SSE TTFB added",
                    "proxy's own overhead p50",
                    "x-ctxproxy-compressed",
                ],
                lat_rows,
            ),
            f"Concurrency {CONCURRENCY} (requests/s, median of ABBA rounds):\n\n"
            + markdown_table(
                [
                    "scenario",
                    "direct RPS",
                    "proxy RPS",
                    "proxy/direct",
                    "CPU µs/req direct: client + mock",
                    "CPU µs/req via proxy: client + mock + **proxy**",
                ],
                rps_rows,
            ),
            "Proxy process RSS (MiB):\n\n" + markdown_table(["when", "RSS"], rss_rows),
        ]
    )


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
        "catalog": {"refresh_on_start": False, "sources": ["litellm"], "cache_dir": str(cache_dir)},
    }
    path.write_bytes(orjson.dumps(config))  # JSON is YAML


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="a quarter of the requests (smoke run)")
    parser.add_argument(
        "--model", default="gpt-4.1", help="model in the request bodies (large window: no compression)"
    )
    parser.add_argument("--profile", metavar="FILE", help="run the proxy under cProfile, write stats to FILE")
    parser.add_argument("--only", metavar="TEXT", help="run only the scenarios whose name contains TEXT")
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

    with tempfile.TemporaryDirectory(prefix="ctxproxy-bench-") as tmp_name:
        tmp = Path(tmp_name)
        mock_port, proxy_port = free_port(), free_port()
        config = tmp / "bench.yaml"
        write_config(config, proxy_port, mock_port, tmp / "cache")
        mock = spawn([str(Path(__file__).with_name("_mock_upstream.py")), str(mock_port)], tmp / "mock.log")
        profile = ["-m", "cProfile", "-o", str(Path(args.profile).resolve())] if args.profile else []
        proxy = spawn(
            [*profile, "-m", "proxy", "serve", "--config", str(config)], tmp / "proxy.log", proxy_env
        )
        try:
            wait_http_ok(f"http://127.0.0.1:{mock_port}/health", mock)
            wait_http_ok(f"http://127.0.0.1:{proxy_port}/readyz", proxy)
            time.sleep(0.5)  # let start-up allocations settle before the idle RSS reading

            def progress(msg: str) -> None:
                print(f"# {msg}", file=sys.stderr, flush=True)

            loop_factory = _loop_factory()
            with asyncio.Runner(loop_factory=loop_factory) as runner:
                base = {
                    "direct": f"http://127.0.0.1:{mock_port}/v1",
                    "proxy": f"http://127.0.0.1:{proxy_port}/openai",
                }
                pids = {"mock": mock.pid, "proxy": proxy.pid}
                res = runner.run(run(base, pids, chosen, args.quick, progress))
        except Exception:
            sys.stderr.write((tmp / "proxy.log").read_text(errors="replace")[-4000:])
            raise
        finally:
            stop(proxy)
            stop(mock)
    print(f"## Proxy benchmark\n\n{environment(args.quick, res, args.model)}\n")
    print(summary_table(res))
    print()
    print(detail_tables(res))
    return 0


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop  # type: ignore[no-any-return]


if __name__ == "__main__":
    raise SystemExit(main())
