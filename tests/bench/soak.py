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
import os
import sys
import tempfile
import time
from pathlib import Path

from _soak_load import Tally, long_client, short_client
from _soak_report import KEEPALIVE_S, report
from _soak_trace import serve_traced
from _soak_upstream import MODEL, serve_upstream
from _util import free_port, rss_mb, spawn, stop, wait_http_ok

WINDOW = 16_000


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
