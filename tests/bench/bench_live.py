"""Compression on live traffic: pre-flight overhead, compressed-request latency,
cache-stable prefixes over a simulated multi-agent session.

    .venv/bin/python tests/bench/bench_live.py [--turns 100]

In-process: the real CompressionHooks (catalog, compactor, token counter, extractive
summarizer) and, for end-to-end latency, the real app on loopback in front of a fake upstream.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import aiohttp
import orjson

from proxy.app import create_app
from proxy.observability.logging import configure_logging
from tests.bench._live_harness import LOOP_MODELS, chat_request, conversation, make_hooks, settings_for
from tests.bench._live_loop import LOOP_HEAD, multi_agent
from tests.fakes.strict import OpenAIChatFake, always


def ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1e3:.3f}"


async def preflight(tmp: Path) -> list[tuple[str, str, str, str]]:
    settings = settings_for(tmp)
    hooks = await make_hooks(settings)
    body_msgs = conversation(turns=85, lines=60)  # ≈200k tokens
    rows = []
    for model, label in (
        ("bench-1m", "1M window (byte bound skips counting)"),
        ("bench-256k", "256k window (counted; memoized)"),
    ):
        body = {"model": model, "messages": body_msgs, "max_tokens": 1024}
        req = chat_request(settings, body)
        tokens = hooks.compactor.counter.count_request("openai-chat", body, model)
        t0 = time.perf_counter()
        first = await hooks.prepare(req)
        cold = time.perf_counter() - t0
        assert first.body is req.raw, "under the trigger: must be forwarded untouched"
        warm, parse = [], []
        for _ in range(30):
            t0 = time.perf_counter()
            body2 = orjson.loads(req.raw)
            parse.append(time.perf_counter() - t0)
            req2 = chat_request(settings, body2)
            t0 = time.perf_counter()
            await hooks.prepare(req2)
            warm.append(time.perf_counter() - t0)
        rows.append(
            (
                f"{label}, {tokens:,} tokens, {len(req.raw) / 1e6:.2f} MB",
                f"{cold * 1e3:.3f}",
                ms(warm),
                ms(parse),
            )
        )
    return rows


async def compressed_latency(tmp: Path) -> list[tuple[str, str, str, str]]:
    rows = []
    async with OpenAIChatFake(window=1_000_000, script=always("ok")) as fake:
        settings = settings_for(tmp, fake.base_url)
        app = create_app(settings)
        runner = aiohttp.web.AppRunner(app, access_log=None)
        await runner.setup()
        site = aiohttp.web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        url = f"http://127.0.0.1:{port}/agent/a/fake/chat/completions"
        async with aiohttp.ClientSession() as s:
            for turns, model in ((180, "bench-128k"), (40, "bench-32k")):
                msgs = conversation(turns=turns, lines=60)
                lat: list[float] = []
                own: list[str] = []
                for k in range(3):  # the first turn, then two more turns resending the history
                    body = orjson.dumps(
                        {"model": model, "messages": msgs[: len(msgs) - 2 * (2 - k)], "max_tokens": 1024}
                    )
                    t0 = time.perf_counter()
                    async with s.post(url, data=body) as r:
                        await r.read()
                        before, after = (
                            r.headers.get("x-ctxproxy-tokens-before"),
                            r.headers.get("x-ctxproxy-tokens-after"),
                        )
                        own.append(r.headers.get("x-ctxproxy-overhead-ms", "?"))
                    lat.append(time.perf_counter() - t0)
                rows.append(
                    (
                        f"{model}: {before} → {after} tokens ({len(body) / 1e6:.1f} MB body)",
                        f"{lat[0] * 1e3:.1f} / {float(own[0]):.1f}",
                        f"{lat[1] * 1e3:.1f} / {float(own[1]):.1f}",
                        f"{lat[2] * 1e3:.1f} / {float(own[2]):.1f}",
                    )
                )
        await runner.cleanup()
    return rows


def table(head: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--turns", type=int, default=100)
    ap.add_argument(
        "--quick", action="store_true", help="25 turns per agent (the make bench runner's smoke run)"
    )
    ap.add_argument("--loop-only", action="store_true", help="only the simulated multi-agent session")
    ap.add_argument("--model", choices=LOOP_MODELS, default="bench-32k", help="the loop's model")
    args = ap.parse_args()
    if args.quick:
        args.turns = min(args.turns, 25)
    configure_logging("warning", "json")  # the compression.decided events would flood the table
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        if args.loop_only:
            print(f"### Simulated multi-agent session ({args.turns} turns per agent, 32k window)\n")
            print(table(LOOP_HEAD, await multi_agent(tmp, args.turns, args.model)))
            return
        print("### Pre-flight check on requests under the trigger (target ≤0.3 ms at 200k tokens)\n")
        print(
            table(
                (
                    "request",
                    "first call ms",
                    "next calls ms (median of 30)",
                    "orjson parse ms (forwarder, median)",
                ),
                await preflight(tmp),
            )
        )
        print(
            "\n### End-to-end latency of compressed requests (extractive summarizer, loopback fake upstream)\n"
        )
        print(
            "Client-observed total / the proxy's own time (`x-ctxproxy-overhead-ms`), in ms. The rest is the"
        )
        print("loopback fake upstream, which tokenizes every request it receives.\n")
        print(
            table(
                ("request", "turn 1 (cold)", "turn 2 (state reused)", "turn 3"), await compressed_latency(tmp)
            )
        )
        print(f"\n### Simulated multi-agent session ({args.turns} turns per agent, 32k window)\n")
        print(
            table(
                LOOP_HEAD,
                await multi_agent(tmp, args.turns, args.model),
            )
        )


if __name__ == "__main__":
    asyncio.run(main())
