"""CPU instructions per proxied request, ctxproxy vs the floor: a figure load cannot move.

Run: ``.venv/bin/python tests/bench/instructions.py [--sizes 2,400] [--tail chat/completions]``
(needs ``valgrind``; ≈2–4 minutes per figure, so not part of ``make bench``).

Latency on a shared machine moves with whatever else runs; the instructions a request
executes do not. One process serves the mock upstream (``_mock_upstream.py``), the middle
proxy (the floor, ``_floor_proxy.py``, or ctxproxy built by ``create_app``, info logs
rendered to a file; or none: *direct*) and the client, all on loopback; it sends ``N``
identical requests one by one. It runs twice under ``valgrind --tool=cachegrind`` (``N1``
and ``N2`` requests), and (instructions(N2) − instructions(N1)) / (N2 − N1) is the cost of
one request: client, mock and middle. Minus *direct* it is what the middle adds, and
ctxproxy's added ÷ the floor's added is the instruction count's version of the
latency ratio. (Timing-dependent event-loop polling makes the figure vary by about ±1 %.)
``--tree DIR`` measures another checkout's ``proxy/`` (e.g. a ``git archive`` of an older
commit, with its ``configs/``) for before/after comparisons.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]


def _ctxproxy_app(port: int, upstream: str) -> Any:
    from _proxy_scenarios import NEAR_MODEL, NEAR_OUTPUT, NEAR_WINDOW

    from proxy.app import create_app
    from proxy.config import load_settings
    from proxy.observability.logging import configure_logging

    tmp = tempfile.mkdtemp(prefix="ctxproxy-instr-")
    log = open(os.path.join(tmp, "proxy.log"), "wb")
    try:  # as `ctxproxy serve` configures (older trees: no `final`)
        configure_logging("info", "json", stream=log, final=True)
    except TypeError:
        configure_logging("info", "json", stream=log)
    settings = load_settings(
        environ={},
        overrides={
            "server": {"host": "127.0.0.1", "port": port, "workers": 1},
            "upstreams": {"openai": {"base_url": upstream, "api": "openai", "api_key_env": None}},
            "catalog": {
                "refresh_on_start": False,
                "sources": ["litellm"],
                "cache_dir": tmp + "/cache",
                "overrides": {NEAR_MODEL: {"context_window": NEAR_WINDOW, "max_output_tokens": NEAR_OUTPUT}},
            },
        },
    )
    return create_app(settings)


async def _serve(side: str, kb: int, tail: str, n: int, model: str) -> None:
    """The measured run (inside valgrind): mock + middle + client in one event loop."""
    import _floor_proxy
    import _mock_upstream
    import aiohttp
    from _proxy_scenarios import chat_body
    from _util import free_port
    from aiohttp import web

    mock_port, port = free_port(), free_port()
    runners = []

    async def start(app: web.Application, at: int) -> None:
        runner = web.AppRunner(app, access_log=None, handler_cancellation=True)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", at).start()
        runners.append(runner)

    await start(_mock_upstream.make_app(), mock_port)
    upstream = f"http://127.0.0.1:{mock_port}/v1"
    if side == "proxy":
        from proxy.appkeys import LIFECYCLE

        app = _ctxproxy_app(port, upstream)
        await start(app, port)
        for _ in range(1200):  # the tokenizer encodings load in a worker thread
            if app[LIFECYCLE].ready:
                break
            await asyncio.sleep(0.05)
        url = f"http://127.0.0.1:{port}/openai/{tail}"
    elif side == "floor":
        await start(_floor_proxy.make_app(upstream), port)
        url = f"http://127.0.0.1:{port}/{tail}"
    else:  # direct: no middle, the client talks to the mock
        url = f"{upstream}/{tail}"
    body = chat_body(kb * 1024, model)
    headers = {"Content-Type": "application/json", "Authorization": "Bearer sk-bench-client"}
    async with aiohttp.ClientSession(auto_decompress=False) as session:
        for _ in range(20 + n):  # 20 warm-up requests in both runs: they cancel out
            async with session.post(url, data=body, headers=headers) as resp:
                await resp.read()
                if resp.status != 200:
                    raise RuntimeError(f"{side}: HTTP {resp.status}")
    for runner in reversed(runners):
        await runner.cleanup()


def _instructions(args: list[str], tree: str | None) -> int:
    env = {**os.environ, "PYTHONHASHSEED": "0", "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    if tree:
        env["CTXPROXY_BENCH_TREE"] = tree
    out = subprocess.run(
        [
            "valgrind",
            "--tool=cachegrind",
            "--cache-sim=no",
            "--cachegrind-out-file=/dev/null",
            sys.executable,
            __file__,
            "--serve",
            *args,
        ],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stderr
    match = re.search(r"I\s+refs:\s+([\d,]+)", out)
    if match is None:
        raise RuntimeError(out[-2000:])
    return int(match.group(1).replace(",", ""))


def per_request(side: str, kb: int, tail: str, n1: int, n2: int, tree: str | None, model: str) -> float:
    a = _instructions([side, str(kb), tail, str(n1), model], tree)
    b = _instructions([side, str(kb), tail, str(n2), model], tree)
    return (b - a) / (n2 - n1)


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--serve":
        sys.path[:0] = [os.environ.get("CTXPROXY_BENCH_TREE", str(REPO)), str(HERE)]
        side, kb, tail, n, model = sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5]), sys.argv[6]
        try:
            import uvloop
        except ImportError:
            asyncio.run(_serve(side, kb, tail, n, model))
        else:
            uvloop.run(_serve(side, kb, tail, n, model))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--sizes", default="2,400", help="request body sizes in KB (comma-separated)")
    parser.add_argument("--tail", default="chat/completions", help="path after /v1 (embeddings: non-chat)")
    parser.add_argument("--n", default="10,60", help="requests in the two runs (N1,N2)")
    parser.add_argument("--tree", help="measure this checkout's proxy/ instead of the repository's")
    parser.add_argument(
        "--model",
        default="gpt-4.1",
        help='model in the bodies: gpt-4.1 (1M window: certainly under the trigger) or "bench-near-trigger"',
    )
    args = parser.parse_args()
    n1, n2 = (int(x) for x in args.n.split(","))
    print("| body | direct | via floor | via ctxproxy | floor added | ctxproxy added | ctxproxy ÷ floor |")
    print("|---|---|---|---|---|---|---|")
    for kb in (int(x) for x in args.sizes.split(",")):
        direct = per_request("direct", kb, args.tail, n1, n2, None, args.model)
        floor = per_request("floor", kb, args.tail, n1, n2, None, args.model)
        proxy = per_request("proxy", kb, args.tail, n1, n2, args.tree, args.model)
        cells = [f"{v / 1e3:,.0f}k" for v in (direct, floor, proxy, floor - direct, proxy - direct)]
        print(
            f"| {kb} KB {args.tail} {args.model} | {' | '.join(cells)} | {(proxy - direct) / (floor - direct):.2f}× |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
