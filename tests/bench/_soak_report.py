"""The soak benchmark's report: the markdown printed at the end of a run. One table of the
proxy's RSS, open file descriptors, requests, errors and compressions per minute (with growth
against minute 2, after the load and at rest), one of the targets and whether each was met,
and a closing line with the totals and the peak RSS."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess

from _soak_load import Tally
from _util import REPO, markdown_table

KEEPALIVE_S = 30  # the proxy's upstream pool closes connections idle this long
BASE_MINUTE = 2  # the target: RSS after minute 2 grows at most 10 %


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
