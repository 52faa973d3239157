"""Soak benchmark: does the proxy's memory level off under sustained streaming load?

Run: ``make soak`` (10 minutes) or ``.venv/bin/python tests/bench/soak.py --minutes 3``.

Three processes on 127.0.0.1: an upstream (this file, ``--upstream PORT``: Chat Completions
that streams 8 SSE events with a ``usage`` chunk, the prompt counted as bytes / 4), the proxy
(``python -m proxy serve``, temporary config, model ``soak-model`` with a 16k window so long
conversations compress) and the load generator (this process). ``--concurrency`` clients
(default 200) loop until the time is up, each with its own keep-alive connection:

* three quarters are *short* clients: a fresh 2–6 message conversation with new text on
  every request (new agents, new texts: every per-request cache sees new keys);
* one quarter are *long* clients: a tool-using conversation that grows by ~400 tokens a
  turn, crosses the trigger after ~30 turns and is compressed from then on; after 60 turns
  the client starts a new conversation (new compaction state).

Once a minute it samples the proxy's RSS (``/proc/PID/status``), open file descriptors
(``/proc/PID/fd``), requests and errors (any non-200, a broken stream, a missing
``[DONE]``). It prints one markdown table at the end (figures: docs/benchmarks/memory.md).
Growth is measured from the end of minute 2, as the target reads (warm-up: encodings, pools,
caches, the long conversations reaching their trigger), to the highest minute after it.

``--trace FILE`` runs the proxy in a process of this file instead, with a thread that appends
to FILE every minute: RSS, glibc's heap, pymalloc's arenas, the proxy's containers holding more
than 1,000 entries (the token memo with its hit rate) and, with ``--trace-frames N`` > 0 (default
1), the 25 biggest tracemalloc differences (against minute 2 from minute 3 on): what grows.
Loopback only; every loop is bounded by the deadline.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import orjson
from _util import REPO, free_port, markdown_table, rss_mb, spawn, stop, wait_http_ok
from aiohttp import web

MODEL = "soak-model"
KEEPALIVE_S = 30  # the proxy's upstream pool closes connections idle this long
BASE_MINUTE = 2  # the target: RSS after minute 2 grows at most 10 %
WINDOW = 16_000
WORDS = (
    "agent context tool result file diff test patch review summary plan step cache lock "
    "writer reader queue retry budget window token stream event socket buffer worker"
).split()


# -- the upstream ------------------------------------------------------------------------------


def _event(delta: dict[str, object], finish: str | None = None, usage: dict[str, int] | None = None) -> bytes:
    event: dict[str, object] = {
        "id": "chatcmpl-soak",
        "object": "chat.completion.chunk",
        "created": 1700000000,
        "model": MODEL,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}] if usage is None else [],
    }
    if usage is not None:
        event["usage"] = usage
    return b"data: " + orjson.dumps(event) + b"\n\n"


async def _chat(request: web.Request) -> web.StreamResponse:
    raw = await request.read()
    prompt = max(1, len(raw) // 4)
    resp = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
    await resp.prepare(request)
    await resp.write(_event({"role": "assistant", "content": ""}))
    for word in ("Reading ", "the ", "next ", "file ", "now."):
        await resp.write(_event({"content": word}))
    call = {"index": 0, "id": f"call_{random.getrandbits(40):x}", "type": "function"}
    call["function"] = {"name": "read_file", "arguments": "{}"}
    await resp.write(_event({"tool_calls": [call]}, "tool_calls"))
    await resp.write(
        _event({}, usage={"prompt_tokens": prompt, "completion_tokens": 12, "total_tokens": prompt + 12})
    )
    await resp.write(b"data: [DONE]\n\n")
    await resp.write_eof()
    return resp


def serve_upstream(port: int) -> None:
    app = web.Application(client_max_size=64 * 1024 * 1024)
    app.router.add_post("/v1/chat/completions", _chat)
    app.router.add_get("/health", lambda _r: _ok())
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None)


async def _ok() -> web.Response:
    return web.Response(text="ok")


# -- the traced proxy --------------------------------------------------------------------------


def serve_traced(config: str, out: str, frames: int) -> None:
    """The proxy in this process; a thread appends what its heap holds to ``out`` each minute.

    Every minute: RSS, glibc's heap (``mallinfo2``: in use vs free but resident), pymalloc's
    arenas and blocks (``sys._debugmallocstats``) and, with ``frames`` > 0, the 25 biggest
    allocation-site differences under tracemalloc (against minute 2 from minute 3 on: the target
    measures growth from there). Tracing with many frames slows the proxy a lot; 1 frame
    (``--trace-frames 1``) keeps the load realistic."""
    import ctypes
    import threading
    import tracemalloc

    from proxy.config import load_settings
    from proxy.server.run import serve

    class MallInfo2(ctypes.Structure):
        names = "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost"
        _fields_ = [(name, ctypes.c_size_t) for name in names.split()]

    libc = ctypes.CDLL(None)
    mallinfo2 = getattr(libc, "mallinfo2", None)
    if mallinfo2 is not None:
        mallinfo2.restype = MallInfo2

    def heap() -> str:
        parts = [f"RSS {rss_mb(os.getpid()):.1f} MiB"]
        if mallinfo2 is not None:
            mi = mallinfo2()
            parts.append(
                f"C heap: in use {mi.uordblks / 2**20:.1f} MiB, free {mi.fordblks / 2**20:.1f} MiB,"
                f" mmapped {mi.hblkhd / 2**20:.1f} MiB"
            )
        r, w = os.pipe()  # _debugmallocstats writes to the C stderr
        saved = os.dup(2)
        os.dup2(w, 2)
        try:
            sys._debugmallocstats()
        finally:
            os.dup2(saved, 2)
            os.close(w)
            os.close(saved)
        with os.fdopen(r) as pipe:
            stats = pipe.read()
        for line in stats.splitlines():
            if line.startswith(
                ("# arenas allocated current", "# bytes in allocated blocks")
            ) or line.startswith(("# bytes in available blocks", "Total")):
                parts.append(" ".join(line.split()))
        return " · ".join(parts)

    def holders() -> list[str]:
        """The proxy's big containers (over 1,000 entries): which object, which field, how many."""
        import gc

        found: list[tuple[int, str]] = []
        for obj in gc.get_objects():
            cls = type(obj)
            if not cls.__module__.startswith("proxy.") or not hasattr(obj, "__dict__"):
                continue
            for name, value in vars(obj).items():
                if isinstance(value, dict | list | set) and len(value) > 1000:
                    found.append((len(value), f"{cls.__name__}.{name}: {len(value)} entries"))
                elif hasattr(value, "currsize") and value.currsize > 1000:  # cachetools
                    found.append((value.currsize, f"{cls.__name__}.{name}: size {value.currsize}"))
                elif hasattr(value, "hits") and hasattr(value, "misses"):  # the token memo
                    rate = value.hits / max(1, value.hits + value.misses)
                    found.append(
                        (len(value), f"{cls.__name__}.{name}: {len(value)} entries, hit rate {rate:.1%}")
                    )
        return [text for _, text in sorted(found, reverse=True)[:12]]

    def dump() -> None:
        time.sleep(20)  # tracing from the start would make loading the encodings take minutes
        if frames:
            tracemalloc.start(frames)
        previous = tracemalloc.take_snapshot() if frames else None
        baseline = None
        minute = 0
        while True:
            time.sleep(60)
            minute += 1
            with open(out, "a") as f:
                f.write(f"\n=== minute {minute}: {heap()} ===\n")
                f.writelines(f"    {line}\n" for line in holders())
                if previous is None:
                    continue
                snap = tracemalloc.take_snapshot().filter_traces(
                    [tracemalloc.Filter(False, tracemalloc.__file__)]
                )
                top = snap.compare_to(baseline or previous, "traceback")[:25]
                if minute == 2:
                    baseline = snap
                size = sum(s.size for s in snap.statistics("filename")) / 2**20
                since = "minute 2" if baseline is not None and minute > 2 else "the previous minute"
                f.write(f"traced {size:.1f} MiB, diff against {since}\n")
                for stat in top:
                    f.write(f"{stat.size_diff / 1024:+10.1f} KiB {stat.count_diff:+8d} blocks\n")
                    for line in stat.traceback.format()[-8:]:
                        f.write(f"        {line}\n")
                previous = snap

    threading.Thread(target=dump, daemon=True).start()
    serve(load_settings(config))


# -- the load ----------------------------------------------------------------------------------


@dataclass
class Tally:
    requests: int = 0
    errors: int = 0
    compressed: int = 0
    kinds: dict[str, int] = field(default_factory=dict)

    def error(self, kind: str) -> None:
        self.errors += 1
        self.kinds[kind] = self.kinds.get(kind, 0) + 1


def text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) + str(rng.randrange(1000)) for _ in range(words))


async def one(
    session: aiohttp.ClientSession, url: str, body: dict[str, object], tally: Tally, headers: dict[str, str]
) -> bool:
    try:
        async with session.post(url, data=orjson.dumps(body), headers=headers) as resp:
            data = await resp.read()
            if resp.status != 200:
                tally.error(f"http {resp.status}")
                return False
            if not data.rstrip().endswith(b"data: [DONE]"):
                tally.error("stream incomplete")
                return False
            tally.compressed += resp.headers.get("x-ctxproxy-compressed") == "1"
    except (aiohttp.ClientError, TimeoutError) as exc:
        tally.error(type(exc).__name__)
        return False
    tally.requests += 1
    return True


async def short_client(n: int, url: str, deadline: float, tally: Tally) -> None:
    rng = random.Random(n)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as session:
        i = 0
        while time.monotonic() < deadline:
            i += 1
            messages: list[dict[str, object]] = [{"role": "system", "content": "You are a helpful agent."}]
            for turn in range(rng.randrange(1, 6)):
                role = "user" if turn % 2 == 0 else "assistant"
                messages.append({"role": role, "content": text(rng, rng.randrange(20, 200))})
            if messages[-1]["role"] != "user":
                messages.append({"role": "user", "content": text(rng, 30)})
            body = {
                "model": MODEL,
                "messages": messages,
                "stream": True,
                "stream_options": {"include_usage": True},
            }
            await one(session, url, body, tally, {"x-ctxproxy-agent": f"s{n}-{i % 50}"})


async def long_client(n: int, url: str, deadline: float, tally: Tally, turns: int = 60) -> None:
    rng = random.Random(10_000 + n)
    tools = [
        {
            "type": "function",
            "function": {"name": "read_file", "parameters": {"type": "object", "properties": {}}},
        }
    ]
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as session:
        conversation = 0
        while time.monotonic() < deadline:
            conversation += 1
            messages: list[dict[str, object]] = [
                {"role": "system", "content": "You are a coding agent. Use read_file."},
                {"role": "user", "content": f"Audit package pkg{n}-{conversation}: " + text(rng, 40)},
            ]
            for turn in range(turns):
                if time.monotonic() >= deadline:
                    return
                body = {
                    "model": MODEL,
                    "messages": messages,
                    "tools": tools,
                    "max_tokens": 512,
                    "stream": True,
                }
                body["stream_options"] = {"include_usage": True}
                if not await one(session, url, body, tally, {"x-ctxproxy-agent": f"long{n}"}):
                    break
                call_id = f"call_{n}_{conversation}_{turn}"
                call = {
                    "id": call_id,
                    "type": "function",
                    "function": {"name": "read_file", "arguments": "{}"},
                }
                messages.append({"role": "assistant", "content": None, "tool_calls": [call]})
                lines = "\n".join(f"src/m{turn}.py:{i}: " + text(rng, 8) for i in range(12))
                messages.append({"role": "tool", "tool_call_id": call_id, "content": lines})


def fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


async def run(args: argparse.Namespace) -> int:
    tmp = Path(tempfile.mkdtemp(prefix="ctxproxy-soak-"))
    up_port, proxy_port = free_port(), free_port()
    config = tmp / "config.yaml"
    config.write_text(
        f"server: {{port: {proxy_port}}}\n"
        f"upstreams:\n  openai: {{base_url: 'http://127.0.0.1:{up_port}/v1', api: openai, api_key_env: null}}\n"
        f"catalog: {{cache_dir: '{tmp / 'cache'}', refresh_on_start: false, sources: [litellm],"
        f" overrides: {{{MODEL}: {{context_window: {WINDOW}, max_output_tokens: 512}}}}}}\n"
    )
    upstream = spawn([__file__, "--upstream", str(up_port)], tmp / "upstream.log")
    if args.trace:
        traced = [__file__, "--traced-proxy", str(config), args.trace, str(args.trace_frames)]
        proxy = spawn(traced, tmp / "proxy.log")
    else:
        proxy = spawn(["-m", "proxy", "serve", "--config", str(config)], tmp / "proxy.log")
    try:
        wait_http_ok(f"http://127.0.0.1:{up_port}/health", upstream)
        wait_http_ok(f"http://127.0.0.1:{proxy_port}/readyz", proxy, timeout_s=60)
        idle_rss, idle_fds = rss_mb(proxy.pid), fds(proxy.pid)
        url = f"http://127.0.0.1:{proxy_port}/openai/chat/completions"
        tally = Tally()
        started = time.monotonic()
        deadline = started + args.minutes * 60
        n_long = args.concurrency // 4
        tasks = [asyncio.create_task(long_client(i, url, deadline, tally)) for i in range(n_long)]
        tasks += [
            asyncio.create_task(short_client(i, url, deadline, tally))
            for i in range(args.concurrency - n_long)
        ]
        rows: list[tuple[int, float, int, int, int, int]] = []
        for minute in range(1, int(args.minutes) + 1):
            await asyncio.sleep(max(0.0, started + minute * 60 - time.monotonic()))
            sample = (
                minute,
                rss_mb(proxy.pid),
                fds(proxy.pid),
                tally.requests,
                tally.errors,
                tally.compressed,
            )
            rows.append(sample)
            print(
                f"minute {minute}: RSS {sample[1]:.1f} MiB, fds {sample[2]}, requests {sample[3]}, "
                f"errors {sample[4]}, compressed {sample[5]}",
                file=sys.stderr,
                flush=True,
            )
        await asyncio.gather(*tasks)
        await asyncio.sleep(2)
        after_rss, after_fds = rss_mb(proxy.pid), fds(proxy.pid)
        peak = rss_mb(proxy.pid, "VmHWM")
        # The proxy keeps idle upstream connections for the pool's keep-alive (30 s); its cleanup
        # runs once per keep-alive period, so they are closed within two of them.
        rest_started = time.monotonic()
        for _ in range(2 * KEEPALIVE_S + 5):  # polled once a second
            if fds(proxy.pid) <= idle_fds:
                break
            await asyncio.sleep(1)
        rested_s = time.monotonic() - rest_started
        rested_rss, rested_fds = rss_mb(proxy.pid), fds(proxy.pid)
    finally:
        stop(proxy)
        stop(upstream)
    report(
        args,
        rows,
        tally,
        (idle_rss, idle_fds),
        (after_rss, after_fds),
        peak,
        (rested_rss, rested_fds),
        rested_s,
    )
    return 0 if tally.errors == 0 else 1


def report(
    args: argparse.Namespace,
    rows: list[tuple[int, float, int, int, int, int]],
    tally: Tally,
    idle: tuple[float, int],
    after: tuple[float, int],
    peak: float,
    rested: tuple[float, int],
    rested_s: float,
) -> None:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True)
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(
        f"\n{when} · commit {commit.stdout.strip() or '?'} · {os.cpu_count()} CPUs · Python "
        f"{platform.python_version()} · {args.minutes:g} min · {args.concurrency} concurrent streams "
        f"({args.concurrency // 4} long conversations that compress)\n"
    )
    table = [["idle (ready)", f"{idle[0]:.1f}", "–", str(idle[1]), "–", "–", "–"]]
    prev = 0
    for minute, rss, nfd, requests, errors, compressed in rows:
        base = rows[min(BASE_MINUTE, len(rows)) - 1][1]
        growth = (
            "(baseline)"
            if minute == BASE_MINUTE
            else "–"
            if minute < BASE_MINUTE
            else f"{(rss / base - 1) * 100:+.1f} %"
        )
        table.append(
            [str(minute), f"{rss:.1f}", growth, str(nfd), str(requests - prev), str(errors), str(compressed)]
        )
        prev = requests
    table.append(["after load (+2 s)", f"{after[0]:.1f}", "–", str(after[1]), "–", "–", "–"])
    table.append(
        [
            f"at rest (+{rested_s:.0f} s; pool keep-alive {KEEPALIVE_S} s)",
            f"{rested[0]:.1f}",
            "–",
            str(rested[1]),
            "–",
            "–",
            "–",
        ]
    )
    print(
        markdown_table(
            [
                "minute",
                "RSS MiB",
                f"RSS vs minute {BASE_MINUTE}",
                "fds",
                "requests",
                "errors (total)",
                "compressed (total)",
            ],
            table,
        )
    )
    if len(rows) > BASE_MINUTE:
        growth = (max(r[1] for r in rows[BASE_MINUTE:]) / rows[BASE_MINUTE - 1][1] - 1) * 100
        fd_spread = max(r[2] for r in rows) - min(r[2] for r in rows)
        verdict = [
            [
                f"RSS growth after minute {BASE_MINUTE} (highest later minute vs minute {BASE_MINUTE})",
                f"{growth:+.1f} %",
                "≤ 10 %",
                "met" if growth <= 10 else "**not met**",
            ],
            [
                "open fds, spread over the minutes",
                str(fd_spread),
                "flat",
                "met" if fd_spread <= 10 else "**not met**",
            ],
            ["errors", str(tally.errors), "0", "met" if tally.errors == 0 else "**not met**"],
            [
                f"open fds at rest vs before the load (waited up to 2 × keep-alive, {2 * KEEPALIVE_S} s)",
                f"{rested[1]} vs {idle[1]}, after {rested_s:.0f} s",
                "back to start",
                "met" if rested[1] <= idle[1] else "**not met**",
            ],
        ]
        print()
        print(markdown_table(["measure", "measured", "target", "verdict"], verdict))
    print(
        f"\nrequests {tally.requests} · compressed {tally.compressed} · peak RSS (VmHWM) {peak:.1f} MiB"
        + (f" · errors by kind {tally.kinds}" if tally.kinds else "")
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--trace", metavar="FILE", help="run the proxy under tracemalloc; diffs go to FILE")
    parser.add_argument("--upstream", type=int, help=argparse.SUPPRESS)
    parser.add_argument(
        "--trace-frames",
        type=int,
        default=1,
        help="tracemalloc frames per allocation with --trace (0: heap figures only)",
    )
    parser.add_argument("--traced-proxy", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.upstream:
        serve_upstream(args.upstream)
        return 0
    if args.traced_proxy:
        config, out, frames = args.traced_proxy
        serve_traced(config, out, int(frames))
        return 0
    try:
        import uvloop
    except ImportError:
        return asyncio.run(run(args))
    return uvloop.run(run(args))


if __name__ == "__main__":
    raise SystemExit(main())
