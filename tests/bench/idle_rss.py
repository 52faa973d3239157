"""Idle memory: resident size of ``ctxproxy serve`` with the default configuration, at rest.

Run: ``.venv/bin/python tests/bench/idle_rss.py [--runs 3] [--wait 5]``.

Starts ``python -m proxy serve`` from this tree with no config file and no API keys (the
catalog's cache in a temporary directory; without network its start-up refresh fails fast), waits until
``/readyz`` answers 200, then ``--wait`` seconds more, and reads ``VmRSS`` (and its anonymous /
file-backed split) and the open file descriptors from /proc. Prints one markdown table, in MiB
and in decimal MB (the target, ≤ 120 MB, is read in decimal megabytes). Loopback only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess
import tempfile
import time
from pathlib import Path

from _util import REPO, free_port, markdown_table, rss_mb, spawn, stop, wait_http_ok

TARGET_MB = 120.0
MIB = 1.048576  # decimal MB per MiB


def one(wait_s: float) -> tuple[float, float, float, int, float]:
    """(RSS, anonymous, file-backed MiB, open fds, seconds from start to ready) of one start."""
    tmp = Path(tempfile.mkdtemp(prefix="ctxproxy-idle-"))
    port = free_port()
    env = {"CTXPROXY_CATALOG__CACHE_DIR": str(tmp / "cache")}
    keys = [k for k in os.environ if k.endswith("_API_KEY")]
    saved = {k: os.environ.pop(k) for k in keys}  # no keys: what a first start sees
    try:
        started = time.monotonic()
        proc = spawn(["-m", "proxy", "serve", "--port", str(port)], tmp / "proxy.log", env)
    finally:
        os.environ.update(saved)
    try:
        wait_http_ok(f"http://127.0.0.1:{port}/readyz", proc, timeout_s=60)
        ready_s = time.monotonic() - started
        time.sleep(wait_s)
        rss = rss_mb(proc.pid)
        anon, file = rss_mb(proc.pid, "RssAnon"), rss_mb(proc.pid, "RssFile")
        fds = len(os.listdir(f"/proc/{proc.pid}/fd"))
    finally:
        stop(proc)
    return rss, anon, file, fds, ready_s


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--wait", type=float, default=5.0, help="seconds after /readyz before reading")
    args = parser.parse_args()
    rows = []
    worst = 0.0
    for run in range(1, args.runs + 1):
        rss, anon, file, fds, ready_s = one(args.wait)
        worst = max(worst, rss)
        rows.append(
            [
                str(run),
                f"{rss:.1f}",
                f"{rss * MIB:.1f}",
                f"{anon:.1f}",
                f"{file:.1f}",
                str(fds),
                f"{ready_s:.1f}",
            ]
        )
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True)
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(
        f"\n{when} · commit {commit.stdout.strip() or '?'} · {os.cpu_count()} CPUs · Python "
        f"{platform.python_version()} · read {args.wait:g} s after ready\n"
    )
    header = ["run", "RSS MiB", "RSS MB", "anonymous MiB", "file-backed MiB", "fds", "ready after s"]
    print(markdown_table(header, rows))
    verdict = "met" if worst * MIB <= TARGET_MB else "**not met**"
    print(f"\nhighest {worst:.1f} MiB = {worst * MIB:.1f} MB · target ≤ {TARGET_MB:g} MB: {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
