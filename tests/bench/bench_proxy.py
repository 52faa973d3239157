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
import itertools
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import aiohttp
import orjson
from _preflight import measure as measure_preflight
from _proxy_report import (
    CONCURRENCY,
    Block,
    CpuUse,
    Result,
    Samples,
    Throughput,
    detail_tables,
    environment,
    floor_section,
    summary_table,
)
from _proxy_scenarios import NEAR_MODEL, NEAR_OUTPUT, NEAR_WINDOW, Scenario, scenarios
from _util import (
    cpu_s,
    free_port,
    median,
    rss_mb,
    spawn,
    stop,
    wait_http_ok,
)

BLOCKS = 5  # concurrency-1 triples are split in blocks; figures are medians over blocks
SIDES = ("direct", "floor", "proxy")
ORDERS = list(itertools.permutations(SIDES))  # cycled request by request
PREFLIGHT = "pre-flight 200k"


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
