"""Issue 3 benchmark: what the catalog costs the proxy.

Run: ``.venv/bin/python tests/bench/bench_catalog.py [--quick]``

1. Start-up time the catalog adds (``Catalog(...)`` + ``await start()``) from a full snapshot
   (every fixture provider listed, LiteLLM's map fetched, a models.dev-sized third-party
   catalog), and without one (parses LiteLLM's bundled 3 MB JSON). Target ≤ 50 ms.
2. ``lookup`` cost per call: memoized (the steady state) and first sight of an id. Target ≤ 2 µs.
3. Request latency p99 of the real proxy (``python -m proxy serve``, mock upstream, 32
   concurrent clients) without refreshes vs. with every catalog source refreshing about once a
   second (rebuilding the merged view each time), in ABAB phases. Target: p99 change ≤ 10 %.
Prints markdown tables.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
import orjson
from _util import REPO, free_port, markdown_table, median, percentile, spawn, stop, wait_http_ok

sys.path.insert(0, str(REPO))

from proxy.catalog import Catalog
from proxy.config import settings_from_dict
from proxy.observability.logging import configure_logging
from tests.fakes.catalog_server import (
    UPSTREAMS,
    FakeCatalogServer,
    all_keys,
    catalog_config,
    synthetic_models_dev,
)

MODELS_DEV_SIZE = (80, 30)  # providers × models: about models.dev's size (~2400 models)
ALL_SOURCES = ["litellm", "models_dev", "openrouter", "native"]


def fake_config(root: str, cache_dir: str, **catalog: Any) -> dict[str, Any]:
    """The fixture providers on a fake catalog server at ``root`` (no FakeCatalogServer object)."""

    class _At:
        def base(self, provider: str) -> str:
            return f"{root}/{provider}"

    return catalog_config(_At(), cache_dir, list(UPSTREAMS), sources=ALL_SOURCES, **catalog)  # type: ignore[arg-type]


async def build_snapshot(cache_dir: Path) -> tuple[str, int]:
    server = await FakeCatalogServer().start()
    server.bodies["models_dev"] = synthetic_models_dev(*MODELS_DEV_SIZE)
    catalog = Catalog(settings_from_dict(fake_config(server.root, str(cache_dir))), environ=all_keys())
    await catalog.start()
    diff = await catalog.refresh()
    assert not diff.errors, diff.errors
    await catalog.close()
    await server.close()
    size = (cache_dir / "catalog.json").stat().st_size
    return (
        f"{len(catalog.models())} listed, {sum(len(s.models) for _, s in catalog.states().values())} entries",
        size,
    )


async def time_start(settings: Any, runs: int, fresh_dir: Path | None = None) -> list[float]:
    out = []
    for _ in range(runs):
        if fresh_dir is not None:
            shutil.rmtree(fresh_dir, ignore_errors=True)
        started = time.perf_counter()
        catalog = Catalog(settings, environ=all_keys())
        await catalog.start()
        out.append((time.perf_counter() - started) * 1000)
        assert catalog.lookup("gpt-4o").context_window == 128000
        await catalog.close()
    return out


def time_lookups(catalog: Catalog, n: int) -> tuple[float, float]:
    ids = [
        ("gpt-4o", None),
        ("claude-sonnet-4-5-20250929", "anthropic"),
        ("openai/gpt-oss-120b", "groq"),
        ("accounts/fireworks/models/gpt-oss-120b", "fireworks"),
        ("models/gemini-2.5-pro", "gemini"),
        ("anthropic/claude-sonnet-4.5:free", None),
        ("no-such-model", "openai"),
    ]
    for model, upstream in ids:
        catalog.lookup(model, upstream)
    started = time.perf_counter()
    for _ in range(n // len(ids)):
        for model, upstream in ids:
            catalog.lookup(model, upstream)
    memo = (time.perf_counter() - started) / (n // len(ids) * len(ids)) * 1e6
    fresh = [f"gpt-4o-mini-2024-07-{i:04d}" for i in range(2000)]
    started = time.perf_counter()
    for model in fresh:
        catalog.lookup(model, "openai")
    first = (time.perf_counter() - started) / len(fresh) * 1e6
    return memo, first


# -- p99 under refresh ---------------------------------------------------------------------

BODY = orjson.dumps(
    {
        "model": "gpt-4.1",
        "messages": [
            {"role": "system", "content": "You are terse."},
            {"role": "user", "content": "hello " * 300},
        ],
    }
)


async def load(url: str, seconds: float, concurrency: int) -> list[float]:
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    headers = {"Content-Type": "application/json", "Authorization": "Bearer sk-bench"}
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as session:

        async def worker() -> None:
            while time.perf_counter() < deadline:
                t0 = time.perf_counter()
                async with session.post(url, data=BODY, headers=headers) as resp:
                    await resp.read()
                    assert resp.status == 200, resp.status
                latencies.append((time.perf_counter() - t0) * 1000)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies


async def refreshes(port: int) -> float:
    async with aiohttp.ClientSession() as s, s.get(f"http://127.0.0.1:{port}/metrics") as resp:
        text = await resp.text()
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("ctxproxy_catalog_refreshes_total{")
    )


def p99_phases(tmp: Path, snapshot: Path, quick: bool) -> dict[str, list[tuple[float, float, float]]]:
    seconds = 4.0 if quick else 10.0
    mock_port, fake_port = free_port(), free_port()
    mock = spawn([str(Path(__file__).with_name("_mock_upstream.py")), str(mock_port)], tmp / "mock.log")
    fake = spawn(
        [str(REPO / "tests/fakes/catalog_server.py"), str(fake_port), *map(str, MODELS_DEV_SIZE)],
        tmp / "fake.log",
    )
    results: dict[str, list[tuple[float, float, float]]] = {"no refresh": [], "refreshing": []}
    try:
        wait_http_ok(f"http://127.0.0.1:{mock_port}/health", mock)
        time.sleep(1.0)
        for i, phase in enumerate(["no refresh", "refreshing"] * 2):
            cache = tmp / f"cache-{i}"
            shutil.copytree(snapshot, cache)
            refreshing = phase == "refreshing"
            port = free_port()
            config = fake_config(
                f"http://127.0.0.1:{fake_port}",
                str(cache),
                refresh_on_start=refreshing,
                refresh_interval_s=1.0 if refreshing else 1e9,
            )
            config["upstreams"]["openai"] = {
                "base_url": f"http://127.0.0.1:{mock_port}/v1",
                "api_key_env": None,
            }
            config["default_upstream"] = "openai"
            config["server"] = {"host": "127.0.0.1", "port": port}
            config["logging"] = {"level": "error"}
            path = tmp / f"proxy-{i}.yaml"
            path.write_bytes(orjson.dumps(config))
            proxy = spawn(["-m", "proxy", "serve", "--config", str(path)], tmp / f"proxy-{i}.log", all_keys())
            try:
                wait_http_ok(f"http://127.0.0.1:{port}/readyz", proxy)
                url = f"http://127.0.0.1:{port}/openai/chat/completions"
                asyncio.run(load(url, 1.0, 8))  # warm-up
                lat = asyncio.run(load(url, seconds, 32))
                count = asyncio.run(refreshes(port))
            finally:
                stop(proxy)
            results[phase].append((percentile(lat, 50), percentile(lat, 99), count / seconds))
            print(
                f"# {phase}: p50 {percentile(lat, 50):.2f} ms p99 {percentile(lat, 99):.2f} ms",
                file=sys.stderr,
            )
    finally:
        stop(fake)
        stop(mock)
    return results


def main() -> int:
    configure_logging("error", "console")
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--no-load", action="store_true", help="skip the p99-under-refresh part")
    args = parser.parse_args()
    runs = 5 if args.quick else 15
    with tempfile.TemporaryDirectory(prefix="ctxproxy-bench-catalog-") as name:
        tmp = Path(name)
        snap_dir = tmp / "snapshot"
        content, size = asyncio.run(build_snapshot(snap_dir))
        settings = settings_from_dict(fake_config("http://127.0.0.1:1", str(snap_dir)))
        warm = asyncio.run(time_start(settings, runs))
        cold_dir = tmp / "cold"
        cold_settings = settings_from_dict(fake_config("http://127.0.0.1:1", str(cold_dir)))
        cold = asyncio.run(time_start(cold_settings, max(3, runs // 3), fresh_dir=cold_dir))

        async def lookups() -> tuple[float, float]:
            catalog = Catalog(settings, environ=all_keys())
            await catalog.start()
            try:
                return time_lookups(catalog, 700_000 if not args.quick else 140_000)
            finally:
                await catalog.close()

        memo_us, first_us = asyncio.run(lookups())
        phases = None if args.no_load else p99_phases(tmp, snap_dir, args.quick)

    ok = lambda good: "✅" if good else "❌"  # noqa: E731
    print("## Catalog benchmark\n")
    print(
        f"{dt.date.today()} · Python {platform.python_version()} · {platform.machine()} · "
        f"snapshot: {content}, {size / 1e6:.2f} MB · {'--quick' if args.quick else 'full'} run\n"
    )
    rows = [
        [
            "start-up added, from snapshot (median)",
            f"{median(warm):.1f} ms",
            "≤ 50 ms",
            ok(median(warm) <= 50),
        ],
        ["start-up added, from snapshot (max)", f"{max(warm):.1f} ms", "", ""],
        ["start-up added, no snapshot (median)", f"{median(cold):.1f} ms", "(not a target)", ""],
        ["lookup, memoized (steady state)", f"{memo_us:.3f} µs/call", "≤ 2 µs", ok(memo_us <= 2)],
        ["lookup, first sight of an id", f"{first_us:.1f} µs/call", "(once per id)", ""],
    ]
    if phases:
        base = median([p[1] for p in phases["no refresh"]])
        busy = median([p[1] for p in phases["refreshing"]])
        change = (busy - base) / base * 100
        rows += [
            ["p99 latency, no refresh", f"{base:.2f} ms", "", ""],
            [
                f"p99 latency, refreshing ({median([p[2] for p in phases['refreshing']]):.1f} source refreshes/s)",
                f"{busy:.2f} ms",
                "",
                "",
            ],
            ["p99 change during refresh", f"{change:+.1f} %", "≤ +10 %", ok(change <= 10)],
        ]
    else:
        rows.append(["p99 change during refresh", "not measured (--no-load)", "≤ +10 %", ""])
    print(markdown_table(["measure", "result", "target", ""], rows))
    if phases:
        print()
        detail = [
            [phase, str(i + 1), f"{p50:.2f}", f"{p99:.2f}", f"{rate:.1f}"]
            for phase, runs_ in phases.items()
            for i, (p50, p99, rate) in enumerate(runs_)
        ]
        print(markdown_table(["phase", "run", "p50 ms", "p99 ms", "refreshes/s"], detail))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
