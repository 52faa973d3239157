"""Issue 3 benchmark: what the catalog costs the proxy.

Run: ``.venv/bin/python tests/bench/bench_catalog.py [--quick]``

1. Start-up time the catalog adds (``Catalog(...)`` + ``await start()``) from a full snapshot
   (every fixture provider listed, LiteLLM's map fetched, a models.dev-sized third-party
   catalog), and without one (parses LiteLLM's bundled 3 MB JSON). Target ≤ 50 ms.
2. ``lookup`` cost per call: memoized (the steady state) and first sight of an id. Target ≤ 2 µs.
3. Request latency p99 of the real proxy (``python -m proxy serve``, mock upstream, 32
   concurrent clients, constant load) with and without catalog refreshes. The fake catalog
   alternates phases: "down" (fetches fail fast: no new data, no rebuild) and "up" (full
   bodies, no ETag: LiteLLM's 3 MB map, a models.dev-sized catalog, every native list →
   parse, merge, rebuild, persist). Same proxy process, interleaved phases, so machine noise
   hits both alike. Two rates: each source refreshing about once per 5-s phase (the target
   scenario: "a refresh during a load test") and a stress run at ~1 s per source (21 600× the
   default rate). Target: p99 change ≤ 10 %.
   Two content modes (``--mode``): "same" (every source sends the same document each time:
   recognised by its hash, nothing is parsed or rebuilt) and "changed" (every response's
   content differs from the last: one model's limit moves, so every refresh of every source
   parses, merges, rebuilds the view, writes a changelog entry and persists).
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
from tests.fakes.catalog_config import UPSTREAMS, all_keys, catalog_config
from tests.fakes.catalog_docs import synthetic_models_dev
from tests.fakes.catalog_server import FakeCatalogServer, use_real_documents

TAIL_S = 2.5  # after a refreshing phase: the 1-s commit debounce + rebuild + snapshot write
MODELS_DEV_SIZE = (80, 30)  # providers × models: about models.dev's size (~2400 models)
ALL_SOURCES = ["litellm", "models_dev", "openrouter", "native"]


def fake_config(root: str, cache_dir: str, **catalog: Any) -> dict[str, Any]:
    """The fixture providers on a fake catalog server at ``root`` (no FakeCatalogServer object)."""

    class _At:
        def base(self, provider: str) -> str:
            return f"{root}/{provider}"

    return catalog_config(_At(), cache_dir, list(UPSTREAMS), sources=ALL_SOURCES, **catalog)  # type: ignore[arg-type]


async def build_snapshot(cache_dir: Path, real: bool) -> tuple[str, int]:
    server = await FakeCatalogServer().start()
    if real:
        use_real_documents(server)
    else:
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


async def control(fake_port: int, action: str) -> None:
    async with (
        aiohttp.ClientSession() as s,
        s.post(f"http://127.0.0.1:{fake_port}/_control/{action}") as resp,
    ):
        await resp.read()


async def metric_sum(port: int, prefix: str) -> float:
    async with aiohttp.ClientSession() as s, s.get(f"http://127.0.0.1:{port}/metrics") as resp:
        text = await resp.text()
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(prefix))


async def interleaved_load(
    url: str,
    port: int,
    fake_port: int,
    rounds: int,
    phase_s: float,
    concurrency: int,
    etags: bool,
    changing: bool = False,
) -> tuple[dict[str, list[float]], float]:
    """Constant load; the fake catalog alternates "down" (every fetch fails fast: no new data,
    no rebuild) and "up" (full bodies: parse, merge, rebuild, persist). Samples are tagged
    with the phase they started in."""
    samples: dict[str, list[float]] = {"no refresh": [], "refreshing": []}
    phase = ["no refresh"]
    stop_at = [float("inf")]
    headers = {"Content-Type": "application/json", "Authorization": "Bearer sk-bench"}
    ok_refreshes = 0.0
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as session:

        async def worker() -> None:
            while time.perf_counter() < stop_at[0]:
                tag, t0 = phase[0], time.perf_counter()
                async with session.post(url, data=BODY, headers=headers) as resp:
                    await resp.read()
                    assert resp.status == 200, resp.status
                if tag == phase[0]:  # drop samples that straddle a phase change
                    samples[tag].append((time.perf_counter() - t0) * 1000)

        await control(fake_port, "etag" if etags else "noetag")
        await control(fake_port, "changing" if changing else "same")
        workers = [asyncio.create_task(worker()) for _ in range(concurrency)]
        await asyncio.sleep(1.0)  # warm-up, discarded
        for key in samples:
            samples[key].clear()
        for _ in range(rounds):
            # The refreshing phase keeps its tail: the debounced rebuild and the snapshot write
            # of the last fetches land after the fetches stop (counted as "refreshing", never
            # as "no refresh").
            for name, action, seconds in (
                ("no refresh", "fail", phase_s),
                ("refreshing", "ok", phase_s),
                ("refreshing", "fail", TAIL_S),
            ):
                await control(fake_port, action)
                before = await metric_sum(port, 'ctxproxy_catalog_refreshes_total{result="ok"')
                phase[0] = name
                await asyncio.sleep(seconds)
                if name == "refreshing":
                    ok_refreshes += (
                        await metric_sum(port, 'ctxproxy_catalog_refreshes_total{result="ok"') - before
                    )
        stop_at[0] = 0.0
        await asyncio.gather(*workers)
    return samples, ok_refreshes / (rounds * (phase_s + TAIL_S))


Loaded = dict[str, tuple[dict[str, list[float]], float]]


# (label, refresh_interval_s, phase seconds, rounds full / quick)
SCENARIOS = [
    ("one refresh of every source per 5-s phase", 5.0, 5.0, (6, 3)),
    ("stress: every source every ~1 s", 1.0, 3.0, (6, 3)),
]


def p99_under_refresh(tmp: Path, snapshot: Path, quick: bool, modes: list[str], real: bool) -> Loaded:
    """Worst case content-wise: the fake sends no ETag, so every fetch is a full body."""
    mock_port, fake_port = free_port(), free_port()
    mock = spawn([str(Path(__file__).with_name("_mock_upstream.py")), str(mock_port)], tmp / "mock.log")
    fake = spawn(
        [
            "-m",
            "tests.fakes.catalog_server",
            str(fake_port),
            *(["real"] if real else map(str, MODELS_DEV_SIZE)),
        ],
        tmp / "fake.log",
    )
    out: Loaded = {}
    try:
        wait_http_ok(f"http://127.0.0.1:{mock_port}/health", mock)
        runs = [(f"{label} [{mode} content]", mode, *rest) for mode in modes for label, *rest in SCENARIOS]
        for i, (label, mode, interval, phase_s, rounds) in enumerate(runs):
            port = free_port()
            cache = tmp / f"cache-load-{i}"
            shutil.copytree(snapshot, cache)
            config = fake_config(
                f"http://127.0.0.1:{fake_port}",
                str(cache),
                refresh_on_start=True,
                refresh_interval_s=interval,
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
                n = rounds[1] if quick else rounds[0]
                out[label] = asyncio.run(
                    interleaved_load(
                        url, port, fake_port, n, phase_s, 32, etags=False, changing=mode == "changed"
                    )
                )
            finally:
                stop(proxy)
    finally:
        stop(fake)
        stop(mock)
    return out


def main() -> int:
    configure_logging("error", "console")
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--no-load", action="store_true", help="skip the p99-under-refresh part")
    parser.add_argument(
        "--mode",
        choices=["same", "changed", "both"],
        default="both",
        help="content of each refresh: the same documents, changed ones (every source changes), or both",
    )
    parser.add_argument(
        "--synthetic",
        action="store_true",
        help="a synthetic models.dev-sized catalog instead of the real documents (tests/data/catalog-real)",
    )
    parser.add_argument("--scenario", type=int, choices=[0, 1], help="run only this load scenario (index)")
    args = parser.parse_args()
    runs = 5 if args.quick else 15
    with tempfile.TemporaryDirectory(prefix="ctxproxy-bench-catalog-") as name:
        tmp = Path(name)
        snap_dir = tmp / "snapshot"
        content, size = asyncio.run(build_snapshot(snap_dir, real=not args.synthetic))
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
        modes = ["same", "changed"] if args.mode == "both" else [args.mode]
        if args.scenario is not None:
            SCENARIOS[:] = [SCENARIOS[args.scenario]]
        loaded = (
            None if args.no_load else p99_under_refresh(tmp, snap_dir, args.quick, modes, not args.synthetic)
        )

    ok = lambda good: "✅" if good else "❌"  # noqa: E731
    print("## Catalog benchmark\n")
    print(
        f"{dt.date.today()} · Python {platform.python_version()} · {platform.machine()} · "
        f"snapshot: {content}, {size / 1e6:.2f} MB · "
        f"{'synthetic models.dev' if args.synthetic else 'real models.dev + OpenRouter documents'} · "
        f"{'--quick' if args.quick else 'full'} run\n"
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
    if loaded:
        for label, (samples, rate) in loaded.items():
            base, busy = percentile(samples["no refresh"], 99), percentile(samples["refreshing"], 99)
            change = (busy - base) / base * 100
            p50s = f"{percentile(samples['no refresh'], 50):.2f} / {percentile(samples['refreshing'], 50):.2f} ms"
            rows += [
                [f"{label}: p50 no refresh / refreshing", p50s, "", ""],
                [
                    f"{label}: p99 no refresh / refreshing ({rate:.1f} source refreshes/s)",
                    f"{base:.2f} / {busy:.2f} ms",
                    "",
                    "",
                ],
                [f"{label}: p99 change", f"{change:+.1f} %", "≤ +10 %", ok(change <= 10)],
            ]
    else:
        rows.append(["p99 change during refresh", "not measured (--no-load)", "≤ +10 %", ""])
    print(markdown_table(["measure", "result", "target", ""], rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
