"""Reader recall on real and generated conversations: what a model reading the compressed
request can use.

Run (from any directory; ``--tree`` measures another checkout's ``proxy`` package)::

    .venv/bin/python tests/bench/bench_reader.py [--quick] [--tree PATH]
        [--sets locomo,friends,assistant]
        [--renderings merged,stamped,named,chatlog,merged-lines,merged-long]
        (also by name: one-message, named-system, named-user, merged-sessions, merged-N,
         telegram, irc, one-telegram, irc-handles, whatsapp, discord-export, imessage)
        [--convs N] [--conv conv-26,…] [--strategy aggressive] [--dump DIR] [--explain N] [--window tokens|tokens+4096]
        [--target F] [--summary-share F] [--texting] [--full-names]

Sets: ``locomo`` (``shared/dev-data/locomo-dev`` beside the checkout, read when present; never in the repo),
``friends`` and ``assistant`` (the generated styles of :mod:`tests.bench.memconv`). Each
conversation is rendered the ways of :mod:`tests.bench.reader.render`, compressed like
``ctxproxy compress --strategy aggressive --context-window <its tokens>``, and compared with
keep-last, middle-out and whole-turn extraction at the size ctxproxy reached (sizes: of the
conversation's tokens and of the input budget ``ctxproxy compress`` prints). ``--window
tokens+4096`` reads the size the other way: the window is the conversation's tokens + 4,096 and
the request asks for 4,096 output tokens, so the input budget is about the conversation's tokens
(as the agent-session benchmark does); the default window is the conversation's tokens, where
the reserved output takes about a quarter of it. ``--target F`` (a diagnostic of how the measures
respond to room) sets the compaction target instead of the preset's, ``--summary-share F`` the summary's least
share of it. ``--texting`` measures each set as people type on a phone instead (lower case,
``dont``, ``u``, ``sooo``, ``lol``, emoji, a turn sent as a burst of messages:
:mod:`tests.bench.reader.texting`). ``--full-names`` labels each speaker by a full name of three
words (``Caroline Van Rossi``), as a chat app's contacts are, while the text still says
``Caroline`` (:mod:`tests.bench.reader.names`; IRC nicks and Discord handles are one word, so
``irc``, ``irc-handles`` and ``discord-export`` do not apply). Metrics:
:mod:`tests.bench.reader.reading` (reading units), :mod:`tests.bench.reader.retrieval` (reader
recall), :mod:`tests.bench.reader.attribution` (attributed evidence).
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
from proxy.compress.encodings import Encodings  # noqa: E402
from tests.bench.reader.conversations import (  # noqa: E402
    Cell,
    detail,
    explain,
    measure,
    questions_of,
    tables,
    targets,
)
from tests.bench.reader.devdata import locomo_path  # noqa: E402
from tests.bench.reader.dialogue import Dialogue, generated, load_locomo  # noqa: E402
from tests.bench.reader.names import full_named  # noqa: E402
from tests.bench.reader.render import RENDERINGS, renderer  # noqa: E402
from tests.bench.reader.texting import texted  # noqa: E402


async def main(argv: list[str]) -> int:
    if "--help" in argv or "-h" in argv:
        print(__doc__)
        return 0
    quick = "--quick" in argv
    sets = arg(argv, "--sets", "locomo,friends,assistant").split(",")
    renderings = arg(argv, "--renderings", ",".join(RENDERINGS)).split(",")
    unknown = [r for r in renderings if renderer(r) is None]
    if unknown:
        print(f"unknown rendering(s) {', '.join(unknown)}", file=sys.stderr)
        return 2
    strategy = arg(argv, "--strategy", "aggressive")
    n_generated = int(arg(argv, "--convs", "1" if quick else "3"))
    dump = Path(argv[argv.index("--dump") + 1]) if "--dump" in argv else None
    every = 4 if quick else 1
    window = arg(argv, "--window", "tokens")
    if window not in ("tokens", "tokens+4096"):
        print(f"unknown window {window!r} (tokens or tokens+4096)", file=sys.stderr)
        return 2
    output = 4096 if window == "tokens+4096" else 0
    target = float(arg(argv, "--target", "0")) or None
    share = float(arg(argv, "--summary-share", "0")) or None
    t0 = time.perf_counter()
    print(f"proxy package measured: {PROXY_PATH} (bench modules: {HERE / 'tests' / 'bench'})")
    data: dict[str, list[Dialogue]] = {}
    for name in sets:
        if name == "locomo":
            path = locomo_path()
            if path is None:
                print("locomo-dev: absent (no shared/dev-data/locomo-dev beside the checkout): not measured")
                continue
            convs = load_locomo(path)
            if "--conv" in argv:  # some of the conversations, by name (``conv-26,conv-30``)
                names = arg(argv, "--conv", "").split(",")
                convs = [d for d in convs if d.name in names]
            data["locomo-dev"] = convs[:1] if quick else convs
        elif name in ("friends", "assistant"):
            data[f"generated {name}"] = [generated(name, seed) for seed in range(1, n_generated + 1)]
        else:
            print(f"unknown set {name!r}", file=sys.stderr)
            return 2
    if "--texting" in argv:
        data = {f"{name}, texted": [texted(d) for d in convs] for name, convs in data.items()}
    if "--full-names" in argv:
        data = {f"{name}, full names": [full_named(d) for d in convs] for name, convs in data.items()}
    encodings = Encodings()
    await TokenCounter(encodings=encodings).warm()
    cells: dict[tuple[str, str], Cell] = {}
    for name, convs in data.items():
        for rendering in renderings:
            cell = cells.setdefault((name, rendering), Cell())
            for d in convs:
                step = every if name.startswith("locomo-dev") else 1
                # a counter of its own, as each ``ctxproxy compress`` run has: a memoized count
                # of one rendering's text must not answer for another's of the same length
                counter = TokenCounter(encodings=encodings)
                await measure(
                    questions_of(d, step), rendering, strategy, counter, cell, dump, output, target, share
                )
            print(f"… {name} / {rendering} done ({time.perf_counter() - t0:.0f} s)", file=sys.stderr)
    print(
        f"\nReader benchmark, {datetime.date.today()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs{' (quick: 1 LoCoMo conversation, every 4th question)' if quick else ''}; "
        f"strategy {strategy}{f' (target {target:g})' if target else ''}"
        f"{f' (summary share ≥ {share:g})' if share else ''}, window = each conversation's tokens"
        f"{' + 4,096 (the request asks for 4,096 output tokens)' if output else ''}; "
        f"{time.perf_counter() - t0:.0f} s\n"
    )
    print("\n".join(tables(cells)))
    print("\nAgainst the targets (above every baseline: ctxproxy minus the best baseline):\n")
    print("\n".join(targets(cells)))
    print("\nDetail:\n")
    print("\n".join(detail(cells)))
    if "--explain" in argv:
        print("\nWorst-read questions (ctxproxy):\n")
        print("\n".join(explain(cells, int(arg(argv, "--explain", "5")))))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
