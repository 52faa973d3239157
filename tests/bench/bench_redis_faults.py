"""Replicas and their shared Redis under faults: stability, latency, events, honest /stats.

Real ``redis-server`` on a loopback port (killed, frozen with SIGSTOP, restarted empty), real
proxies (in this process), the strict fake upstream, the openai SDK; tool-loop conversations
of ``--turns`` turns (Redis fails before turn 15 and is back before turn 30).

Figures (docs/benchmarks/redis-faults.md):
  * stability: share of compressed requests whose messages start with the previous request
    the provider received in that conversation (what its prompt cache can reuse);
  * latency (paired, so that the shared machine's load hits both sides alike): two proxies,
    each with its own Redis, serve two conversations turn by turn in lockstep; one Redis is
    frozen for turns 15–29. Added latency = p50 of the client's wall time per compressed request
    in that window on the frozen side − the same on the healthy side (and a healthy/healthy
    pair for the noise floor);
  * events: storage.degraded / storage.recovered (and the old per-operation storage.redis_error);
  * /stats: cache_stable_prefix_rate (summed over the replicas) and its scope.

    python tests/bench/bench_redis_faults.py [--convs 2] [--turns 40] [--quick] [--json out.json]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
import orjson
from structlog.testing import capture_logs

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from proxy.app import create_app
from proxy.appkeys import KVSTORE
from proxy.config import StorageSettings
from tests.fakes.strict import OpenAIChatFake, tool_loop
from tests.integration.conftest import start_app
from tests.integration.livekit import WINDOW, settings_for
from tests.integration.redis_proc import RedisServer, have_redis
from tests.integration.redis_traffic import Dialogue, Turn, converse, stable

DOWN, UP = 15, 30
_KEYS = {f.name for f in dataclasses.fields(StorageSettings)}


def storage(server: RedisServer | None) -> dict[str, Any]:
    if server is None:
        return {"backend": "memory"}
    out: dict[str, Any] = {"backend": "redis", "url": server.url}
    if "probe_max_s" in _KEYS:  # defaults otherwise; the probe cap only shortens the wait below
        out["probe_max_s"] = 0.5
    return out


async def recovered(proxies: list[Any]) -> None:
    """Until each replica uses Redis again (an old build has no breaker: a short pause)."""
    for _ in range(2000):
        breakers = [getattr(p.app[KVSTORE], "breaker", None) for p in proxies]
        if all(b is None or b.closed for b in breakers):
            break
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.05)


def pooled(runs: list[list[Turn]], first: int, end: int | None) -> float | None:
    judged = [
        stable(t[i - 1], t[i]) for t in runs for i in range(max(1, first), end or len(t)) if t[i].compressed
    ]
    return round(sum(judged) / len(judged), 3) if judged else None


def p50(runs: list[list[Turn]], first: int, end: int) -> float | None:
    ms = [t[i].ms for t in runs for i in range(first, end) if t[i].compressed]
    return round(statistics.median(ms), 1) if ms else None


async def stats_total(proxy: Any) -> dict[str, Any]:
    async with aiohttp.ClientSession() as s, s.get(f"{proxy.url}/stats") as r:
        return dict((await r.json())["total"])


async def scenario(
    tmp: Path, name: str, *, replicas: int, redis: bool, fault: str | None, convs: int, turns: int
) -> dict[str, Any]:
    (tmp / f"{name}-redis").mkdir(exist_ok=True)
    server = RedisServer(tmp / f"{name}-redis").start() if redis else None
    runners: list[Any] = []
    runs: list[list[Turn]] = []
    errors: list[str] = []
    try:
        async with OpenAIChatFake(window=WINDOW, script=tool_loop(10_000, "read_file")) as fake:
            upstreams = {"fake": {"base_url": fake.base_url, "api": "openai", "api_key_env": None}}
            for i in range(replicas):
                settings = settings_for(upstreams, tmp / f"{name}-{i}", storage=storage(server))
                runners.append(await start_app(create_app(settings)))

            async def faults(turn: int) -> None:
                if server is None or fault is None:
                    return
                if turn == DOWN:
                    {"kill": server.kill, "freeze": server.freeze, "restart": server.restart_empty}[fault]()
                    if fault == "restart":
                        await recovered(runners)
                if turn == UP and fault in ("kill", "freeze"):
                    server.start() if fault == "kill" else server.thaw()
                    await recovered(runners)

            with capture_logs() as logs:
                for c in range(convs):
                    try:
                        runs.append(
                            await converse(runners, fake, turns, agent=f"{name}{c}", before_turn=faults)
                        )
                    except Exception as exc:  # a client error: counted, the next conversation goes on
                        errors.append(f"{type(exc).__name__}: {exc}"[:200])
            totals = [await stats_total(r) for r in runners]
            invalid, overflows = len(fake.invalid), len(fake.overflows)
    finally:
        for r in runners:
            await r.runner.cleanup()
        if server is not None:
            server.stop()
    compactions = sum(t.get("compactions", 0) for t in totals)
    events = [e["event"] for e in logs]
    return {
        "scenario": name,
        "replicas": replicas,
        "client_errors": len(errors),
        "invalid": invalid,
        "over_window": overflows,
        "stability_all": pooled(runs, 1, None),
        "stability_fault_window": pooled(runs, DOWN + 1, UP),
        "stability_after": pooled(runs, UP + 1, None),
        "p50_ms_fault_window": p50(runs, DOWN, UP),
        "stats_rate": round(sum(t.get("prefix_reused", 0) for t in totals) / compactions, 3)
        if compactions
        else None,
        "stats_scope": sorted({str(t.get("cache_stable_prefix_scope")) for t in totals}),
        "stats_compactions": compactions,
        "stats_checked_shared": sum(t.get("prefix_shared", 0) for t in totals),
        "stats_unverified": sum(t.get("prefix_unverified", 0) for t in totals),
        "degraded": events.count("storage.degraded"),
        "recovered": events.count("storage.recovered"),
        "redis_error_lines": events.count("storage.redis_error"),
        "sticky_warnings": events.count("storage.sticky_routing_needed"),
        "errors": errors[:3],
    }


async def paired_latency(tmp: Path, name: str, *, freeze: bool, convs: int, turns: int) -> dict[str, Any]:
    servers = []
    for side in ("a", "b"):
        (tmp / f"{name}-{side}").mkdir(exist_ok=True)
        servers.append(RedisServer(tmp / f"{name}-{side}").start())
    runners: list[Any] = []
    sides: tuple[list[list[Turn]], list[list[Turn]]] = ([], [])
    try:
        async with OpenAIChatFake(window=WINDOW, script=tool_loop(10_000, "read_file")) as fake:
            upstreams = {"fake": {"base_url": fake.base_url, "api": "openai", "api_key_env": None}}
            for i, server in enumerate(servers):
                settings = settings_for(upstreams, tmp / f"{name}-p{i}", storage=storage(server))
                runners.append(await start_app(create_app(settings)))
            with capture_logs() as logs:
                for c in range(convs):
                    pair = [Dialogue(fake, f"{name}{c}{side}") for side in "ab"]
                    for t in range(turns):
                        if freeze and t == DOWN:
                            servers[0].freeze()
                        if freeze and t == UP:
                            servers[0].thaw()
                            await recovered(runners[:1])
                        for side, (dialogue, runner) in enumerate(zip(pair, runners, strict=True)):
                            await dialogue.step(runner, side)
                    for side, dialogue in enumerate(pair):
                        sides[side].append(dialogue.turns)
            invalid, overflows = len(fake.invalid), len(fake.overflows)
    finally:
        for r in runners:
            await r.runner.cleanup()
        for server in servers:
            server.stop()
    frozen, healthy = p50(sides[0], DOWN, UP), p50(sides[1], DOWN, UP)
    events = [e["event"] for e in logs]
    return {
        "scenario": name,
        "invalid": invalid,
        "over_window": overflows,
        "p50_ms_frozen_side": frozen,
        "p50_ms_healthy_side": healthy,
        "added_p50_ms": round(frozen - healthy, 1) if frozen is not None and healthy is not None else None,
        "max_ms_frozen_side": round(max(t[i].ms for t in sides[0] for i in range(DOWN, UP)), 1),
        "stability_frozen_side": pooled(sides[0], DOWN + 1, UP),
        "degraded": events.count("storage.degraded"),
        "recovered": events.count("storage.recovered"),
        "redis_error_lines": events.count("storage.redis_error"),
    }


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--convs", type=int, default=2)
    ap.add_argument("--turns", type=int, default=40)
    ap.add_argument("--quick", action="store_true", help="one conversation per scenario")
    ap.add_argument("--only", default="", help="comma-separated scenario names")
    ap.add_argument("--json", type=Path)
    args, _ = ap.parse_known_args()
    if not have_redis():
        print("bench_redis_faults: skipped, redis-server is not installed")
        return
    import proxy

    print(f"proxy package measured: {Path(proxy.__file__).parent} (bench modules: {Path(__file__).parent})")
    convs = 1 if args.quick else args.convs
    plan: list[tuple[str, int, bool, str | None]] = [
        ("healthy-1", 1, True, None),
        ("healthy-2", 2, True, None),
        ("killed-1", 1, True, "kill"),
        ("frozen-2", 2, True, "freeze"),
        ("restart-empty-2", 2, True, "restart"),
        ("memory-1", 1, False, None),
        ("memory-2", 2, False, None),
    ]
    wanted = set(filter(None, args.only.split(",")))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, replicas, redis, fault in plan:
            if wanted and name not in wanted:
                continue
            t0 = time.perf_counter()
            row = await scenario(
                Path(tmp), name, replicas=replicas, redis=redis, fault=fault, convs=convs, turns=args.turns
            )
            row["seconds"] = round(time.perf_counter() - t0, 1)
            rows.append(row)
            print(orjson.dumps(row).decode(), flush=True)
        pairs = []
        for name, freeze in (("latency-healthy-pair", False), ("latency-frozen-pair", True)):
            if wanted and name not in wanted:
                continue
            pair = await paired_latency(Path(tmp), name, freeze=freeze, convs=convs, turns=args.turns)
            pairs.append(pair)
            print(orjson.dumps(pair).decode(), flush=True)
    print()
    print(
        "| scenario | client errors | invalid / over-window | stability (all / fault window / after) | p50 ms in window | /stats rate (scope) | degraded / recovered / per-op lines |"
    )
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['scenario']} | {r['client_errors']} | {r['invalid']} / {r['over_window']} | "
            f"{r['stability_all']} / {r['stability_fault_window']} / {r['stability_after']} | "
            f"{r['p50_ms_fault_window']} | {r['stats_rate']} ({', '.join(r['stats_scope'])}) | "
            f"{r['degraded']} / {r['recovered']} / {r['redis_error_lines']} |"
        )
    print()
    print(
        "| pair (turns 15–29) | p50 ms frozen side | p50 ms healthy side | added p50 ms | max ms frozen side | degraded / recovered / per-op lines |"
    )
    print("|---|---|---|---|---|---|")
    for p in pairs:
        print(
            f"| {p['scenario']} | {p['p50_ms_frozen_side']} | {p['p50_ms_healthy_side']} | {p['added_p50_ms']} | "
            f"{p['max_ms_frozen_side']} | {p['degraded']} / {p['recovered']} / {p['redis_error_lines']} |"
        )
    if args.json:
        args.json.write_bytes(orjson.dumps(rows + pairs, option=orjson.OPT_INDENT_2))


if __name__ == "__main__":
    asyncio.run(main())
