"""Run every ``tests/bench/bench_*.py`` (sorted) as its own process; ``make bench`` calls this.

Each benchmark runs with this interpreter and ``LITELLM_LOCAL_MODEL_COST_MAP=True`` (never the
network); its output streams through as it is produced. Extra arguments are passed to every
benchmark (e.g. ``--quick``), except ``--bench TEXT``, which runs only the scripts whose name
contains TEXT (e.g. ``run_all.py --bench proxy --quick``). Exits non-zero when any benchmark
failed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    env = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    scripts = sorted(HERE.glob("bench_*.py"))
    if "--bench" in argv:
        at = argv.index("--bench")
        if at + 1 >= len(argv):
            print("--bench needs a value (part of a script name, e.g. proxy)", file=sys.stderr)
            return 2
        wanted = argv[at + 1]
        argv = argv[:at] + argv[at + 2 :]
        scripts = [s for s in scripts if wanted in s.name]
    if not scripts:
        print("no tests/bench/bench_*.py found", file=sys.stderr)
        return 1
    failed: list[str] = []
    for script in scripts:
        print(f"\n<!-- {script.name} -->", flush=True)
        started = time.monotonic()
        code = subprocess.call([sys.executable, str(script), *argv], cwd=HERE.parents[1], env=env)
        took = time.monotonic() - started
        status = "ok" if code == 0 else f"FAILED (exit {code})"
        print(f"<!-- {script.name}: {status} in {took:.1f} s -->", file=sys.stderr, flush=True)
        if code != 0:
            failed.append(script.name)
    if failed:
        print(f"benchmarks failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
