"""What the catalog costs the proxy.

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
import sys
import tempfile
from pathlib import Path

from _util import REPO, markdown_table, median, percentile

sys.path.insert(0, str(REPO))

from _catalog_load import SCENARIOS, p99_under_refresh
from _catalog_startup import build_snapshot, fake_config, time_lookups, time_start

from proxy.catalog import Catalog
from proxy.config import settings_from_dict
from proxy.observability.logging import configure_logging
from tests.fakes.catalog_config import all_keys


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
