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
from typing import Any

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import aiohttp
import orjson
from multidict import CIMultiDict

from proxy.app import create_app
from proxy.catalog import Catalog
from proxy.compress import Compactor, TokenCounter
from proxy.config import Settings, load_settings
from proxy.observability.logging import configure_logging
from proxy.observability.metrics import Metrics
from proxy.server.compression import CompressionHooks
from proxy.server.hooks import ChatRequest
from proxy.server.routing import resolve
from proxy.server.stats import Stats
from proxy.server.upstreams import UpstreamRegistry
from tests.bench.replay.sessions import Meter, pricings
from tests.fakes.strict import OpenAIChatFake, always


def tool_text(turn: int, lines: int) -> str:
    return "\n".join(
        f"src/svc_{turn % 7}/mod_{turn}.py:{i}: result id={turn * 977 + i} status={'ok' if i % 5 else 'retry'} "
        f"latency_ms={(turn * 31 + i * 17) % 900} path=/api/v{i % 3}/items/{turn}-{i}"
        for i in range(lines)
    )


def conversation(
    turns: int, lines: int, task: str = "Audit every service and report failing ids."
) -> list[dict[str, Any]]:
    msgs: list[dict[str, Any]] = [
        {"role": "system", "content": "You are a meticulous coding agent. " * 40},
        {"role": "user", "content": task},
    ]
    for t in range(turns):
        call = f"call_{t}"
        msgs.append(
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": call,
                        "type": "function",
                        "function": {"name": "read_file", "arguments": f'{{"t": {t}}}'},
                    }
                ],
            }
        )
        msgs.append({"role": "tool", "tool_call_id": call, "content": tool_text(t, lines)})
    return msgs


def settings_for(tmp: Path, base_url: str = "http://127.0.0.1:9/v1") -> Settings:
    return load_settings(
        environ={},
        overrides={
            "upstreams": {"fake": {"base_url": base_url, "api": "openai", "api_key_env": None}},
            "catalog": {
                "cache_dir": str(tmp / "cache"),
                "refresh_on_start": False,
                "sources": ["litellm"],
                "overrides": {
                    "bench-1m": {"context_window": 1_000_000, "max_output_tokens": 8192},
                    "bench-256k": {"context_window": 262_144, "max_output_tokens": 8192},
                    "bench-128k": {"context_window": 128_000, "max_output_tokens": 4096},
                    **{m: {"context_window": 32_768, "max_output_tokens": 2048} for m in LOOP_MODELS},
                },
            },
        },
    )


async def make_hooks(settings: Settings) -> CompressionHooks:
    catalog = Catalog(settings)
    await catalog.start()
    compactor = Compactor(settings.compression, counter=TokenCounter())
    return CompressionHooks(settings, compactor, Metrics(), Stats(), catalog=catalog)


def chat_request(settings: Settings, body: dict[str, Any], agent: str = "bench") -> ChatRequest:
    registry = UpstreamRegistry(settings.upstreams, settings.server)
    route = resolve(registry, "fake", "POST", "/fake/chat/completions")
    raw = orjson.dumps(body)
    return ChatRequest(route, "openai-chat", "r", raw, body, agent, "path", CIMultiDict())


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


# The loop's model: of no known provider (compaction at the trigger only), or named like a
# Claude or GPT model (the policy then also prices early compactions with that family's cache)
LOOP_MODELS = ("bench-32k", "claude-32k", "gpt-32k")


async def multi_agent(tmp: Path, turns: int, model: str = "bench-32k") -> list[tuple[str, ...]]:
    """4 agents, each a tool loop resending its whole history every turn, into a 32k window."""
    settings = settings_for(tmp)
    anthropic, openai = pricings()
    bills = {
        a: (Meter(anthropic, openai), Meter(anthropic, openai))
        for a in ("agent_a", "agent_b", "agent_c", "agent_d")
    }
    hooks = await make_hooks(settings)
    # lines per tool output; agent_d adds about 14 % of the budget per turn
    agents = {"agent_a": 40, "agent_b": 25, "agent_c": 60, "agent_d": 110}
    history = {a: conversation(0, 0, task=f"Shared task: audit the services. ({a})") for a in agents}
    last_sent: dict[str, list[bytes]] = {}
    stable = {a: 0 for a in agents}
    compared = {a: 0 for a in agents}
    # cacheable prefix share: of the previous request's serialized messages, the share the
    # request repeats as its exact prefix, from the agent's first compaction on (the mean over
    # requests; and token-weighted: Σ repeated ÷ Σ previous)
    share = {a: [0, 0] for a in agents}
    shares: dict[str, list[float]] = {a: [] for a in agents}  # per request: prefix ÷ previous
    growth = {a: 0 for a in agents}
    for t in range(turns):
        for agent, lines in agents.items():
            msgs = history[agent]
            call = f"call_{t}"
            msgs.append(
                {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {"id": call, "type": "function", "function": {"name": "read_file", "arguments": "{}"}}
                    ],
                }
            )
            msgs.append({"role": "tool", "tool_call_id": call, "content": tool_text(t, lines)})
            req = chat_request(settings, {"model": model, "messages": msgs, "max_tokens": 1024}, agent)
            prepared = await hooks.prepare(req)
            prepared.flush()  # the stats the forwarder records once the request went upstream
            sent_msgs = orjson.loads(prepared.body)["messages"]
            sent = [orjson.dumps(m) for m in sent_msgs]
            bills[agent][0].bill(sent_msgs, [], False)
            bills[agent][1].bill(msgs, [], False)
            prev = last_sent.get(agent)
            if t <= 1:  # tokens one turn adds (the count's difference between turns 1 and 2)
                growth[agent] = (
                    hooks.compactor.counter.count_request("openai-chat", req.body, model) - growth[agent]
                )
            if prev is not None and prepared.headers.get("x-ctxproxy-compressed") == "1":
                compared[agent] += 1
                stable[agent] += sent[: len(prev)] == prev
            if prev is not None and (share[agent][1] or prepared.headers.get("x-ctxproxy-compressed") == "1"):
                common, size = common_prefix(sent, prev), sum(len(b) for b in prev)
                share[agent][0] += common
                share[agent][1] += size
                shares[agent].append(common / max(1, size))
            last_sent[agent] = sent
    view = hooks.stats.view()["agents"]
    budget = hooks.compactor.policy(model, None).budget(32_768, None, 1024)
    rows = []
    for agent in agents:
        v = view[agent]
        rows.append(
            (
                agent,
                str(turns),
                str(v["compactions"]),
                str(v["fresh_compactions"]),
                f"{100 * v['fresh_compactions'] / turns:.1f}",
                f"{100 * stable[agent] / max(1, compared[agent]):.1f} %",
                f"{statistics.fmean(shares[agent] or [0.0]):.3f}",
                f"{share[agent][0] / max(1, share[agent][1]):.3f}",
                f"{100 * growth[agent] / budget:.0f} %",
                f"{v['tokens_before'] / max(1, v['counted']):,.0f} → {v['tokens_after'] / max(1, v['counted']):,.0f}",
                f"{bills[agent][0].usd_anthropic / bills[agent][1].usd_anthropic:.2f}×",
                f"{bills[agent][0].usd_openai / bills[agent][1].usd_openai:.2f}×",
            )
        )
    return rows


LOOP_HEAD = (
    "agent",
    "turns",
    "compressed requests",
    "fresh compactions",
    "compactions per 100 turns",
    "cache-stable prefix rate",
    "cacheable prefix share",
    "token-weighted",
    "growth per turn (share of the budget)",
    "avg tokens before → after (counted requests)",
    "cost ÷ whole (Anthropic)",
    "cost ÷ whole (OpenAI)",
)


def common_prefix(now: list[bytes], prev: list[bytes]) -> int:
    """Bytes of the serialized messages ``now`` shares with ``prev`` as an exact prefix."""
    n = 0
    for a, b in zip(now, prev, strict=False):
        if a != b:
            k = 0
            while k < min(len(a), len(b)) and a[k] == b[k]:
                k += 1
            return n + k
        n += len(a)
    return n


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
