"""Later-needed facts in real coding-agent sessions, compressed half-way and three-quarters in.

Run (from any directory; ``--tree`` measures another checkout's ``proxy`` package)::

    .venv/bin/python tests/bench/bench_agent_sessions.py [--quick] [--tree PATH]
        [--sessions DIR] [--presets balanced,aggressive,conservative] [--no-small-window] [--lenient]
        [--wire chat|anthropic|responses|text[,…]] [--tools openhands|claude-code[,…]]

Sessions: ``shared/dev-data/openhands-dev/*.json`` beside the checkout when present (else
``--sessions DIR``, e.g. ``tests/data/openhands``). At ½ and ¾ of each session's assistant turns
the request the agent sent then is compressed like ``ctxproxy compress --strategy S
--context-window <its tokens + 4096>`` with the request's ``max_tokens`` 4096 (the whole reserve
counts; "its tokens" by tiktoken's o200k, so balanced lands at ~0.43); the aggressive preset
also on a small window (half its tokens + 4096). Metrics and baselines:
:mod:`tests.bench.reader.agent`; ``--lenient`` also counts facts the agent had written itself.
``--wire`` / ``--tools`` re-send each session on another API (Anthropic Messages, OpenAI
Responses, or Chat Completions with the calls written as text, as OpenHands sends them to a
model without native tool calling) and with Claude Code's tool vocabulary (:mod:`tests.bench.reader.agent_wires`);
several, comma-separated, measure every combination (the baselines: Chat Completions only).
"""

from __future__ import annotations

import asyncio
import datetime
import os
import platform
import sys
import time
from pathlib import Path

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

from _tree import HERE, arg, bootstrap  # this script's folder is on sys.path

PROXY_PATH = bootstrap(sys.argv[1:])

from proxy.compress import TokenCounter  # noqa: E402
from tests.bench.reader.agent_wires import TOOLSETS, WIRES  # noqa: E402
from tests.bench.reader.devdata import openhands_dir  # noqa: E402
from tests.bench.reader.sessions import (  # noqa: E402
    Point,
    checks_table,
    combos_table,
    failures,
    load_session,
    main_table,
    run_session,
    targets,
)


async def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    # the reading: a fact the agent itself wrote before the point is not needed from a
    # tool output; --lenient counts it anyway (the reading of the figures published before)
    strict = "--lenient" not in argv
    presets = arg(argv, "--presets", "balanced,aggressive,conservative").split(",")
    wires = arg(argv, "--wire", "chat").split(",")
    toolsets = arg(argv, "--tools", "openhands").split(",")
    if not set(wires) <= set(WIRES) or not set(toolsets) <= set(TOOLSETS):
        print(f"--wire takes {', '.join(WIRES)}; --tools takes {', '.join(TOOLSETS)}", file=sys.stderr)
        return 2
    combos = [(w, t) for w in wires for t in toolsets]
    folder = Path(argv[argv.index("--sessions") + 1]) if "--sessions" in argv else openhands_dir()
    print(f"proxy package measured: {PROXY_PATH} (bench modules: {HERE / 'tests' / 'bench'})")
    if folder is None:
        folder = HERE / "tests" / "data" / "openhands"
        print(
            "openhands-dev: absent (no shared/dev-data/openhands-dev beside the checkout); "
            "measuring only the sessions copied into tests/data/openhands"
        )
    files = sorted(p for p in folder.glob("*.json") if p.name != "index.json")
    sampled = quick and len(files) > 4
    if sampled:
        files = files[::4]
    t0 = time.perf_counter()
    counter = TokenCounter()
    await counter.warm()
    by_combo: dict[tuple[str, str], list[Point]] = {c: [] for c in combos}
    for path in files:
        body = load_session(path)
        for wire, tools in combos:
            got = by_combo[wire, tools]
            got += await run_session(path.stem, body, presets, counter, strict=strict, wire=wire, tools=tools)
            if "aggressive" in presets and "--no-small-window" not in argv:
                got += await run_session(
                    path.stem,
                    body,
                    ["aggressive"],
                    counter,
                    window_scale=0.5,
                    strict=strict,
                    wire=wire,
                    tools=tools,
                )
        print(f"… {path.stem} ({time.perf_counter() - t0:.0f} s)", file=sys.stderr)
    points = [p for ps in by_combo.values() for p in ps]
    print(
        f"\nAgent-session benchmark, {datetime.date.today()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs; {len(files)} sessions from {folder}{' (quick: every 4th)' if sampled else ''}; "
        f"{time.perf_counter() - t0:.0f} s\n"
    )
    reading = (
        "lenient: the agent's own earlier words count"
        if not strict
        else "the agent saw them only in tool outputs"
    )
    print(
        f"Later-needed facts kept ({reading}), balanced preset, baselines at ctxproxy's size; "
        "pooled over the facts (mean per point with facts):\n"
    )
    print("\n".join(main_table(by_combo.get(("chat", "openhands")) or points)))
    for (wire, tools), ps in by_combo.items():
        print(f"\nChecks per preset (every point), wire {wire}, tools {tools}:\n")
        print("\n".join(checks_table(ps)))
    if len(combos) > 1:
        print("\nEvery wire and tool vocabulary (facts kept at ½ / ¾, pooled; checks over every point):\n")
        print("\n".join(combos_table(by_combo)))
    print("\nAgainst the targets:\n")
    print("\n".join(targets(points)))
    bad = failures(points)
    if bad:
        print("\nPoints failing a check:\n")
        print("\n".join(bad))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
