"""What the fast path spends reading a chat body before its send, in one process.

Run: ``.venv/bin/python tests/bench/bench_skim.py [--quick]`` (≈ 20 s). Prints, for the 400 KB body of
``bench_proxy.py``, the parse the fast path used to do before the send against the byte
readings that replace it (best of 7 × N calls, µs), then the next turns of ``_preflight.py``'s
200k-token tool loop through the app's own ``early()`` (the fast path from the bytes: the
recorded prefix of the conversation's previous body plus a skim of the new part) against the
parse, agent id and ``prepare()`` of the parsing path (p50 over 60 turns, ms): once for a
model whose trigger the conversation is certainly under (by its bytes), once for one whose
trigger only counting can tell it is under (its next turns bounded by the counted prefix).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from _preflight import conversation
from _proxy_scenarios import chat_body

from proxy.compress.tokens import TokenCounter, count_images
from proxy.server.skim import skim
from proxy.server.skim_memo import Checkpoints

IMAGE_MARKERS = re.compile(
    rb'"(?:image_url|input_image|image|document|input_file|file|inlineData|inline_data|fileData|file_data)"'
)


def best_us(fn: Callable[[], object], n: int, rounds: int = 7) -> float:
    best = float("inf")
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        best = min(best, (time.perf_counter() - t0) / n)
    return best * 1e6


def readings() -> None:
    raw = chat_body(400 * 1024, "gpt-4.1")
    body = orjson.loads(raw)
    turn = [{"role": "assistant", "content": "ok " * 300}, {"role": "user", "content": "next " * 300}]
    nxt = orjson.dumps({**body, "messages": body["messages"] + turn})
    memo = Checkpoints()
    assert memo.record("openai-chat", raw, body)
    seen = memo.skim("openai-chat", nxt, "")
    assert seen is not None and seen[0] == skim("openai-chat", nxt, "")
    counter, loop = TokenCounter(), asyncio.new_event_loop()
    prefix = memo.record("openai-chat", raw, body)
    assert prefix is not None
    closed = prefix.raw + b"]}"

    def count() -> int:
        return loop.run_until_complete(counter.raw_tokens("openai-chat", orjson.loads(closed), "gpt-4.1"))

    count()  # (the encoding loaded, the texts counted: as after the estimate of the body's send)
    rows: list[tuple[str, Callable[[], object], int]] = [
        ("`orjson.loads` (the parse the fast path did before the send)", lambda: orjson.loads(raw), 100),
        ("`count_images` over the parsed items", lambda: count_images(body["messages"]), 100),
        ("`bytes.find(b'\"image')` (not found: a full scan)", lambda: raw.find(b'"image'), 100),
        ("one compiled `re` for all ten image/file markers", lambda: IMAGE_MARKERS.search(raw), 100),
        ("`skim` (msgspec: the decision's fields and parts only)", lambda: skim("openai-chat", raw, ""), 100),
        ("prefix skim, the same body again", lambda: memo.skim("openai-chat", raw, ""), 100),
        (
            f"prefix skim, the next turn (+{len(nxt) - len(raw)} bytes)",
            lambda: memo.skim("openai-chat", nxt, ""),
            100,
        ),
        ("recording a prefix (after the send)", lambda: Checkpoints().record("openai-chat", raw, body), 20),
        ("counting a prefix's tokens, texts counted before (after the send, near the trigger)", count, 20),
    ]
    print(f"| operation on the {len(raw) // 1024} KB body | µs |\n|---|---|")
    for name, fn, n in rows:
        print(f"| {name} | {best_us(fn, n):.0f} |")


NEAR_WINDOW = 256_000  # the tool loop's ≈200k tokens are under this window's trigger, its bytes are not


async def next_turns(devnull: BinaryIO, turns: int = 60, near: bool = False) -> None:
    """``near``: a model with a :data:`NEAR_WINDOW` window, where only counting can tell (the
    first turn is parsed; its prefix, counted after the send, bounds the next turns)."""
    from aiohttp import web
    from multidict import CIMultiDict

    from proxy.app import create_app
    from proxy.appkeys import CHAT_HOOKS, FINGERPRINTS, UPSTREAMS
    from proxy.config import load_settings
    from proxy.observability.logging import configure_logging
    from proxy.server.hooks import ChatRequest
    from proxy.server.identity import resolve_agent
    from proxy.server.request_body import parse_chat, parse_later
    from proxy.server.routing import resolve

    configure_logging("info", "json", stream=devnull)
    with tempfile.TemporaryDirectory(prefix="ctxproxy-skim-") as tmp:
        upstream = {"base_url": "http://127.0.0.1:9/v1", "api": "openai", "api_key_env": None}
        catalog: dict[str, Any] = {
            "cache_dir": tmp + "/cache",
            "refresh_on_start": False,
            "sources": ["litellm"],
        }
        model = "bench-near" if near else "gpt-4.1"
        if near:
            catalog["overrides"] = {model: {"context_window": NEAR_WINDOW, "max_output_tokens": 16_384}}
        app = create_app(
            load_settings(environ={}, overrides={"upstreams": {"openai": upstream}, "catalog": catalog})
        )
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        try:
            hooks, names = app[CHAT_HOOKS], app[FINGERPRINTS]
            await hooks.warm(["o200k_base"])
            route = resolve(app[UPSTREAMS], "openai", "POST", "/openai/chat/completions")
            headers: CIMultiDict[str] = CIMultiDict({"Content-Type": "application/json"})
            msgs, early_ms, parsed_ms, from_prefix, parsed_first = conversation(), [], [], 0, 0
            raw = b""
            for k in range(turns):
                msgs = [
                    *msgs,
                    {"role": "assistant", "content": f"Step {k} done."},
                    {"role": "user", "content": "Go on."},
                ]
                raw = orjson.dumps({"messages": msgs, "model": model, "max_tokens": 1024, "stream": True})
                req = ChatRequest(
                    route, "openai-chat", "b", raw, {}, "", "pending", headers, parse_later(names)
                )
                t0 = time.perf_counter()
                prepared = hooks.early(req)
                if prepared is not None:
                    early_ms.append((time.perf_counter() - t0) * 1e3)
                    assert prepared.settling is not None
                    from_prefix += not getattr(prepared.settling, "record", True)
                    prepared.flush()
                    await prepared.settling.finish()  # after the send: parse, estimate, prefix
                t0 = time.perf_counter()
                body = parse_chat(raw, depth=False)
                agent, source = resolve_agent(None, headers, "openai-chat", body, names)
                parsed = await hooks.prepare(
                    ChatRequest(route, "openai-chat", "b", raw, body, agent, source, headers)
                )
                parsed_ms.append((time.perf_counter() - t0) * 1e3)
                if (
                    prepared is None
                ):  # sent after the parse: its prefix is recorded (and counted) after the send
                    parsed_first += 1
                    parsed.flush()
                    await asyncio.sleep(0.05)
        finally:
            await runner.cleanup()
    where = f"near the trigger ({NEAR_WINDOW:,}-token window)" if near else "certainly under (gpt-4.1)"
    print(
        f"\nnext turn of a {len(raw) / 1e6:.2f} MB conversation, {where}, before the send (p50):"
        f" early() {statistics.median(early_ms[5:]):.3f} ms over the {len(early_ms)} of {turns} turns it sent"
        f" ({from_prefix} from a prefix; {parsed_first} parsed first);"
        f" parse + agent id + prepare() {statistics.median(parsed_ms[5:]):.3f} ms"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="30 next turns instead of 60")
    args = parser.parse_args()
    readings()
    with open(os.devnull, "wb") as sink:  # info logs rendered as in the proxy, then dropped
        asyncio.run(next_turns(sink, 30 if args.quick else 60))
        asyncio.run(next_turns(sink, 30 if args.quick else 60, near=True))
