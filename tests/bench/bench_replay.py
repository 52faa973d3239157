"""What compression costs on real coding-agent sessions, billed with the provider's prompt cache.

    .venv/bin/python tests/bench/bench_replay.py [--window 24000] [--sessions N] [--strategy balanced]

Replays the OpenHands dev sessions (``shared/dev-data/openhands-dev/`` beside the checkout; each session's earlier
requests are its final request cut before each assistant turn) request by request through a
running proxy (the real app on loopback) to the strict fake, with a window much smaller than
the sessions. Every request as sent is billed with the cost model (``proxy/compress/cost.py``)
twice: at Anthropic's cache prices (read 0.1×, write 1.25×, a hit ends on a message boundary)
and at OpenAI's (cached 0.5×, any prefix of 1,024 tokens or more, in 128-token steps);
tokens are characters / 4. Baselines get the same bill: observation masking (newest 10 tool
outputs whole; the mask moves every turn), sticky masking (masks only grow), a sliding window.

Reported per strategy: cost ÷ sending every request whole (to a model with room for it),
compactions per 100 requests, cacheable prefix share (token-weighted share of each request
that repeats the previous request as a prefix, from a session's first compaction on) and
later-needed facts kept (``tests/bench/replay/facts.py``), and how many of the requests sent
changed have lost their newest tool output or their task (not verbatim).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import aiohttp
import orjson
import yaml
from aiohttp import web

from proxy.app import create_app
from proxy.config import load_settings
from proxy.observability.logging import configure_logging
from tests.bench.reader.agent import newest_output_verbatim, task_verbatim
from tests.bench.reader.reading import message_text
from tests.bench.replay.baselines import StickyMask, mask_moving, size, sliding_turns, sliding_window
from tests.bench.replay.facts import Facts, LaterFacts
from tests.bench.replay.missing import Misses
from tests.bench.replay.sessions import Meter, Session, bundled_dir, load_sessions, openhands_dir, pricings
from tests.fakes.strict import OpenAIChatFake, always

# One proxy run per provider family, with a model of that family: the policy prices its
# decisions with that family's cache rules, as it would for a user of that provider.
MODELS = {"anthropic": "claude-replay", "openai": "gpt-replay"}
COMPRESSION: dict[str, Any] = {}  # --set key=value: compression settings for the proxy run
TRACE: list[bool] = []  # --missing: trace every missing fact (proxy runs, sliding window)


@dataclass
class Row:
    name: str
    meter: Meter
    facts: Facts = field(default_factory=Facts)
    compactions: int = 0
    compressed: int = 0  # requests sent changed
    newest_cut: int = 0  # … whose newest tool output is not verbatim
    turn_cut: int = 0  # … whose newest turn (user message, assistant + tool outputs) is not
    task_cut: int = 0  # … whose task is not verbatim
    family: str | None = None  # a proxy run: the family of its model (its own bill; the other in brackets)


def new_row(name: str) -> Row:
    anthropic, openai = pricings()
    row = Row(name, Meter(anthropic, openai))
    if TRACE and (name.startswith("ctxproxy") or name == "sliding window"):
        row.facts.misses = Misses()
    return row


async def start_proxy(fake_url: str, tmp: Path, window: int, strategy: str) -> tuple[web.AppRunner, str]:
    settings = load_settings(
        environ={},
        overrides={
            "upstreams": {"fake": {"base_url": fake_url, "api": "openai", "api_key_env": None}},
            "catalog": {
                "cache_dir": str(tmp / "cache"),
                "refresh_on_start": False,
                "sources": ["litellm"],
                "overrides": {
                    m: {"context_window": window, "max_output_tokens": 4096} for m in MODELS.values()
                },
            },
            "compression": {"strategy": strategy, **COMPRESSION},
        },
    )
    runner = web.AppRunner(create_app(settings), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}"


async def replay_proxy(
    sessions: list[Session], window: int, strategy: str, max_tokens: int, tmp: Path, family: str
) -> Row:
    row = new_row(f"ctxproxy ({strategy}, {MODELS[family]})")
    row.family = family
    trigger = int(0.85 * budget_of(window, max_tokens))
    async with OpenAIChatFake(window=10_000_000, script=always("ok")) as fake:
        runner, url = await start_proxy(fake.base_url, tmp, window, strategy)
        try:
            async with aiohttp.ClientSession() as http:
                for s in sessions:
                    facts = LaterFacts(s.messages, s.tools, s.name)
                    row.meter.new_session()
                    compacted = False
                    for cut in s.cuts():
                        body = {
                            "model": MODELS[family],
                            "messages": s.messages[:cut],
                            "tools": s.tools,
                            "max_tokens": max_tokens,
                        }
                        async with http.post(
                            f"{url}/agent/{s.name}/fake/chat/completions", data=orjson.dumps(body)
                        ) as r:
                            assert r.status == 200, await r.text()
                            fresh = r.headers.get("x-ctxproxy-stages") is not None
                            compressed = r.headers.get("x-ctxproxy-compressed") == "1"
                            await r.read()
                        sent = fake.requests[-1].body["messages"]
                        row.compactions += int(compressed and fresh)
                        compacted = compacted or compressed
                        row.meter.bill(sent, s.tools, compacted)
                        guard(row, s.messages[:cut], sent, compressed)
                        facts.count(cut, sent, row.facts, size(s.messages[:cut], s.tools) > trigger)
        finally:
            await runner.cleanup()
    return row


def replay_local(sessions: list[Session], name: str, budget: int) -> Row:
    """A client-side strategy, billed the same way."""
    row = new_row(name)
    for s in sessions:
        facts = LaterFacts(s.messages, s.tools, s.name)
        row.meter.new_session()
        sticky = StickyMask(int(0.85 * budget), int(0.55 * budget))
        started = False
        prev: list[Any] | None = None
        for cut in s.cuts():
            msgs = s.messages[:cut]
            if name == "whole":
                sent = msgs
            elif name.startswith("masking"):
                sent = mask_moving(msgs)
            elif name.startswith("sticky"):
                before = sticky.compactions
                sent = sticky.apply(msgs, s.tools)
                row.compactions += sticky.compactions - before
            elif name.startswith("sliding window (newest"):
                sent = sliding_turns(msgs)
            else:
                sent = sliding_window(msgs, s.tools, budget)
            changed = sent != msgs
            if name.startswith(("masking", "sliding")) and changed and prev is not None:
                row.compactions += int(sent[: len(prev)] != prev)
            started = started or changed
            row.meter.bill(sent, s.tools, started)
            guard(row, msgs, sent, changed)
            facts.count(cut, sent, row.facts, size(msgs, s.tools) > int(0.85 * budget))
            prev = sent
    return row


def guard(row: Row, msgs: list[Any], sent: list[Any], changed: bool) -> None:
    """Count a changed request whose task or newest tool output is not verbatim."""
    if not changed:
        return
    row.compressed += 1
    row.newest_cut += int(not newest_output_verbatim({"messages": msgs}, {"messages": sent}))
    row.task_cut += int(not task_verbatim({"messages": msgs}, {"messages": sent}))
    row.turn_cut += int(not newest_turn_verbatim(msgs, sent))


def newest_turn_verbatim(msgs: list[Any], sent: list[Any]) -> bool:
    """The newest user message, and the newest assistant message with every message after it
    (its tool outputs), are in ``sent`` verbatim."""
    users = [m for m in msgs if m.get("role") == "user"]
    if users and not any(
        m.get("role") == "user" and message_text(users[-1]) in message_text(m) for m in sent
    ):
        return False
    last = max((i for i, m in enumerate(msgs) if m.get("role") == "assistant"), default=len(msgs))
    texts = [(m.get("role"), m.get("tool_call_id"), message_text(m)) for m in sent]
    return all((m.get("role"), m.get("tool_call_id"), message_text(m)) in texts for m in msgs[last:])


def budget_of(window: int, max_tokens: int) -> int:
    return int(window - min(max_tokens, window // 4) - 0.03 * window)


def table(rows: list[Row], whole: Row) -> str:
    head = (
        "strategy",
        "cost ÷ whole (Anthropic)",
        "cost ÷ whole (OpenAI)",
        "compactions / 100 requests",
        "cacheable prefix share",
        "later-needed facts kept (mean per request)",
        "avg tokens sent",
        "newest tool output cut",
        "newest turn cut",
        "task cut",
    )
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        m = r.meter
        share = sum(m.shares) / len(m.shares) if m.shares else 1.0
        out.append(
            "| "
            + " | ".join(
                (
                    r.name,
                    ratio(m.usd_anthropic / whole.meter.usd_anthropic, r.family in (None, "anthropic")),
                    ratio(m.usd_openai / whole.meter.usd_openai, r.family in (None, "openai")),
                    f"{100 * r.compactions / max(1, m.requests):.1f}",
                    f"{share:.3f}",
                    f"{r.facts.score():.2f} ({r.facts.mean():.2f})",
                    f"{m.tokens / max(1, m.requests):,.0f}",
                    f"{r.newest_cut} of {r.compressed}",
                    f"{r.turn_cut}",
                    f"{r.task_cut} of {r.compressed}",
                )
            )
            + " |"
        )
    return "\n".join(out)


def ratio(value: float, own: bool) -> str:
    """A cost ratio; in brackets when a proxy run with the other family's model is billed."""
    return f"{value:.2f}×" if own else f"({value:.2f}×)"


def floor(sessions: list[Session]) -> tuple[float, float]:
    """Every new token paid once at the write price, every repeat free (per family), ÷ whole."""
    anthropic, openai = pricings()
    whole = replay_local(sessions, "whole", 0).meter
    new = 0
    for s in sessions:
        prev = 0
        for cut in s.cuts():
            now = size(s.messages[:cut], s.tools)
            new += max(0, now - prev)
            prev = now
    return new * anthropic.write / whole.usd_anthropic, new * openai.write / whole.usd_openai


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--window", type=int, default=24_000)
    ap.add_argument("--sessions", type=int, default=None, help="only the first N sessions")
    ap.add_argument("--strategy", default="balanced")
    ap.add_argument("--max-tokens", type=int, default=1024)
    ap.add_argument("--quick", action="store_true", help="the first 6 sessions")
    ap.add_argument("--family", choices=[*MODELS, "both"], default="both", help="the proxy run(s) to make")
    ap.add_argument("--set", action="append", default=[], help="compression.KEY=VALUE (YAML value)")
    ap.add_argument("--missing", action="store_true", help="trace each later-needed fact a request lost")
    args = ap.parse_args()
    if args.missing:
        TRACE.append(True)
    for item in args.set:
        key, _, value = item.partition("=")
        COMPRESSION[key] = yaml.safe_load(value)
    folder = openhands_dir()
    if folder is None and bundled_dir() is not None:
        folder = bundled_dir()
        print(f"OpenHands dev sessions not found: replaying the {folder} copy (3 sessions) instead.\n")
    if folder is None:
        print(
            "OpenHands dev sessions not found (shared/dev-data/openhands-dev beside the checkout, or CTXPROXY_DEV_DATA): nothing to replay."
        )
        return
    configure_logging("warning", "json")
    sessions = load_sessions(folder, 6 if args.quick else args.sessions)
    budget = budget_of(args.window, args.max_tokens)
    proxies = []
    for family in MODELS if args.family == "both" else [args.family]:
        with tempfile.TemporaryDirectory() as d:
            proxies.append(
                await replay_proxy(sessions, args.window, args.strategy, args.max_tokens, Path(d), family)
            )
    whole = replay_local(sessions, "whole", budget)
    rows = [
        *proxies,
        replay_local(sessions, "masking (newest 10 outputs)", budget),
        replay_local(sessions, "sticky masking", budget),
        replay_local(sessions, "sliding window", budget),
        replay_local(sessions, "sliding window (newest 10 turns)", budget),
        whole,
    ]
    n = sum(len(s.cuts()) for s in sessions)
    print(f"### Replay: {len(sessions)} OpenHands sessions, {n} requests, {args.window:,}-token window\n")
    print(table(rows, whole))
    fa, fo = floor(sessions)
    print(f"\nFloor (every new token paid once at the write price): {fa:.2f}× Anthropic, {fo:.2f}× OpenAI")
    for r in rows:
        if r.facts.misses is not None:
            print(f"\nMissing later-needed facts, {r.name}:")
            print("\n".join(r.facts.misses.table()))


if __name__ == "__main__":
    asyncio.run(main())
