"""A chat export pasted into a request's only user message, over a 128k window: how long the
compaction takes.

Run (``--tree PATH`` measures another checkout's ``proxy`` package, e.g. the previous release)::

    .venv/bin/python tests/bench/bench_pasted_chat.py [--sizes 200000,1000000] [--runs 2] [--tree PATH]

The chat is :mod:`tests.unit.compress.transcript_chat`'s (written for the tests: two speakers,
four dated sessions, a fact a line), ``--sizes`` tokens of it, then a question after a blank
line. It is compressed like ``ctxproxy compress --context-window 128000``: the message alone
is over the input budget, so the cut stage shortens it (its oldest lines condensed in place,
or, in a release without that, its middle cut). Beside it, the same lines sent as messages of
40 lines each, which the summarize stage digests: the cost of a digest of that span by the
ordinary path. Reported: the time of one compaction (best and worst of ``--runs``), the tokens
after, the stages, and whether the message holds the condensed lines.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from typing import Any

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

from _tree import arg, bootstrap  # this script's folder is on sys.path

PROXY_PATH = bootstrap(sys.argv[1:])

from proxy.compress import Compactor, Limits, TokenCounter  # noqa: E402
from proxy.config import load_settings  # noqa: E402
from proxy.storage import MemoryKV  # noqa: E402
from tests.unit.compress.transcript_chat import transcript_lines  # noqa: E402

WINDOW = 128_000
TOKENS_PER_LINE = 34  # about, for the fixture's lines (o200k)


def pasted(lines: list[str]) -> dict[str, Any]:
    text = "My chat with Tom, exported:\n" + "\n".join(lines) + "\n\nWhat did Tom try in Leeds?"
    return {"model": "gpt-4o", "messages": [{"role": "user", "content": text}]}


def as_messages(lines: list[str]) -> dict[str, Any]:
    msgs = [
        {"role": "user" if (i // 40) % 2 == 0 else "assistant", "content": "\n".join(lines[i : i + 40])}
        for i in range(0, len(lines), 40)
    ]
    return {"model": "gpt-4o", "messages": [*msgs, {"role": "user", "content": "What did Tom try in Leeds?"}]}


async def once(counter: TokenCounter, body: dict[str, Any]) -> tuple[float, Any]:
    compactor = Compactor(load_settings(environ={}).compression, kv=MemoryKV(), counter=counter)
    t0 = time.perf_counter()
    result = await compactor.compress(body, "openai-chat", "gpt-4o", Limits(WINDOW, None, None))
    return (time.perf_counter() - t0) * 1000, result


async def main(argv: list[str]) -> int:
    sizes = [int(s) for s in arg(argv, "--sizes", "200000,1000000").split(",")]
    runs = int(arg(argv, "--runs", "2"))
    counter = TokenCounter()
    await counter.warm()
    print(
        f"proxy package measured: {PROXY_PATH}; window {WINDOW:,}; {runs} runs each, a new compactor each run\n"
    )
    print(
        "| tokens asked | shape | tokens before → after | stages | oldest lines condensed | ms (best / worst) |"
    )
    print("|---|---|---|---|---|---|")
    for size in sizes:
        n = size // TOKENS_PER_LINE
        lines = transcript_lines(n, n // 4 + 1)
        for shape, body in (
            ("pasted, one message", pasted(lines)),
            ("40 lines a message", as_messages(lines)),
        ):
            times: list[float] = []
            result: Any = None
            for _ in range(runs):
                ms, result = await once(counter, body)
                times.append(ms)
            sent = (result.body or body)["messages"][0]["content"]
            condensed = "oldest lines of this conversation, condensed" in sent
            stages = ", ".join(f"{name} {tokens:,}" for name, tokens in result.stages)
            print(
                f"| {size:,} | {shape} | {result.tokens_before:,} → {result.tokens_after:,} | {stages} | "
                f"{'yes' if condensed else 'no'} | {min(times):,.0f} / {max(times):,.0f} |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
