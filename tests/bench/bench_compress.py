"""Compactor benchmarks: speed (cold, next turn, pre-flight, counting) and quality vs baselines.

Run: ``.venv/bin/python tests/bench/bench_compress.py [--quick] [--tree PATH]`` (``--tree``:
measure another checkout's ``proxy`` package). Prints markdown tables for
docs/benchmarks.md ("Compactor" section). Offline: tiktoken files come from litellm's package;
``litellm`` itself is imported only for the ``trim_messages`` baseline.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import orjson

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

from _tree import bootstrap  # this script's folder is on sys.path

PROXY_PATH = bootstrap(sys.argv[1:])

from proxy.compress import Compactor, Limits, TokenCounter, violations  # noqa: E402
from proxy.config import load_settings  # noqa: E402
from proxy.storage import MemoryKV  # noqa: E402
from tests.unit.compress.convgen import filler, to_chat  # noqa: E402

MODEL = "gpt-4o"
Script = list[tuple[Any, ...]]


# -- synthetic sessions ----------------------------------------------------------------------------
def agent_script(total_tokens: int, seed: int = 0) -> Script:
    """A tool-using agent session of about ``total_tokens`` tokens."""
    script: Script = [("user", "Task: migrate the billing service to the new ledger; report every decision.")]
    i, size = 0, 0
    while size < total_tokens:
        out = 3000 if (i + seed) % 13 == 0 else 250
        script.append(
            ("tools", [("read_file", f'{{"path": "src/billing/m{i}.py"}}', filler(i + seed, out))], None)
        )
        size += int(out * 1.25) + 40
        i += 1
        if i % 20 == 0:
            script += [("assistant", f"Checkpoint {i}: continuing."), ("user", f"Go on with part {i}.")]
    return [*script, ("user", "Now write the final report.")]


FACTS = [
    ("user", "The staging database listens on port {n}."),
    ("tool", "Loaded configuration from /etc/billing/ledger-{n}.yaml without errors."),
    ("assistant", "Decision: we will shard the ledger by tenant id {n}."),
    ("user", "Priya Raman{n} approved the rollout window."),
    ("tool", "The migration job finished with exit code {n} after 41 seconds."),
    ("assistant", "I chose retry budget {n} ms for the webhook client."),
    ("user", "Ticket BILL-{n} tracks the currency rounding bug."),
    ("tool", "Found the key in https://vault.example.com/v1/billing/{n}."),
]


def discussion_script(total_tokens: int, seed: int = 0) -> Script:
    """A long planning discussion: big user and assistant messages, few tool calls."""
    script: Script = [("user", "We are planning the billing migration together; track every decision.")]
    i, size = 0, 0
    while size < total_tokens:
        script.append(("assistant", filler(i + seed, 260)))
        script.append(("user", filler(i + seed + 1000, 120)))
        size += 500
        i += 1
    return [*script, ("user", "Now write the final report.")]


def planted_script(
    total_tokens: int, n_facts: int, seed: int, kind: str = "agent"
) -> tuple[Script, list[str]]:
    """A session with ``n_facts`` facts planted at spread-out turns; returns the probes."""
    script = agent_script(total_tokens, seed) if kind == "agent" else discussion_script(total_tokens, seed)
    probes: list[str] = []
    slots = list(range(2, len(script) - 2))
    for k in range(n_facts):
        role, template = FACTS[k % len(FACTS)]
        number = 7000 + 37 * k + seed
        text = template.format(n=number)
        probe = next(tok for tok in text.split() if str(number) in tok).rstrip(".")
        probes.append(probe)
        pos = slots[(k * len(slots)) // n_facts]
        turn = script[pos]
        if role == "tool" and turn[0] == "tools":
            (name, args, out), *rest = turn[1]
            script[pos] = ("tools", [(name, args, f"{out[:400]} {text} {out[400:]}"), *rest], None)
        elif kind == "discussion" and turn[0] in ("user", "assistant"):
            words = turn[1].split(" ")
            middle = len(words) // 2
            script[pos] = (turn[0], " ".join(words[:middle]) + f". {text} " + " ".join(words[middle:]))
        elif role == "user":
            script.insert(pos, ("assistant", "Noted."))
            script.insert(pos + 1, ("user", f"{text} Please keep that in mind."))
        else:
            script.insert(pos, ("assistant", text))
            script.insert(pos + 1, ("user", "OK, continue."))
    return script, probes


# -- methods ---------------------------------------------------------------------------------------
def message_tokens(counter: TokenCounter, msgs: list[dict[str, Any]]) -> int:
    return counter.count_request("openai-chat", {"messages": msgs}, MODEL)


def keep_last(body: dict[str, Any], budget: int, counter: TokenCounter) -> dict[str, Any]:
    """Keep the system prompt and as many of the newest messages as fit, message by message."""
    msgs = body["messages"]
    head, rest = msgs[:1], msgs[1:]
    base = counter.count_request("openai-chat", {"messages": [], "tools": body["tools"]}, MODEL)
    kept: list[dict[str, Any]] = []
    for m in reversed(rest):
        if message_tokens(counter, [*head, m, *kept]) + base > budget:
            break
        kept.insert(0, m)
    return {**body, "messages": head + kept}


def middle_out(body: dict[str, Any], budget: int, counter: TokenCounter) -> dict[str, Any]:
    """Keep the ends, drop from the middle (OpenRouter-style), message by message."""
    msgs = body["messages"]
    front, back = 1, len(msgs)
    base = counter.count_request("openai-chat", {"messages": [], "tools": body["tools"]}, MODEL)
    while message_tokens(counter, msgs[:front] + msgs[back:]) + base <= budget and front < back:
        if (back - front) % 2:
            back -= 1
        else:
            front += 1
    # undo the step that overflowed
    candidates = [msgs[: front - 1] + msgs[back:], msgs[:front] + msgs[back + 1 :]]
    fitting = [c for c in candidates if message_tokens(counter, c) + base <= budget]
    return {**body, "messages": fitting[0] if fitting else msgs[:1]}


def litellm_trim(body: dict[str, Any], budget: int, counter: TokenCounter) -> dict[str, Any]:
    import litellm  # only here: 2 s and ~160 MB to import

    base = counter.count_request("openai-chat", {"messages": [], "tools": body["tools"]}, MODEL)
    msgs = [{k: v for k, v in m.items()} for m in body["messages"]]
    trimmed = litellm.utils.trim_messages(msgs, model=MODEL, max_tokens=max(1, budget - base))
    return {**body, "messages": trimmed if isinstance(trimmed, list) else trimmed[0]}


async def ctxproxy(body: dict[str, Any], budget: int, counter: TokenCounter) -> dict[str, Any]:
    settings = load_settings(environ={}).compression
    settings = dataclasses.replace(settings, safety_margin=0.0)
    compactor = Compactor(settings, kv=MemoryKV(), counter=counter)
    target = compactor.policy(MODEL).target
    result = await compactor.compress(body, "openai-chat", MODEL, Limits(10_000_000, int(budget / target), 1))
    return result.body if result.body is not None else body


def text_of(body: dict[str, Any]) -> str:
    return orjson.dumps(body["messages"]).decode()


async def run_method(
    fn: Callable[..., Any], sessions: list[tuple[Script, list[str]]], share: float, counter: TokenCounter
) -> tuple[float, float, int, float]:
    """(share of facts kept, mean tokens sent as % of budget, valid requests, mean seconds)."""
    kept = total = valid = 0
    used: list[float] = []
    times: list[float] = []
    for script, probes in sessions:
        body = {**to_chat(script), "stream": False}
        budget = int(counter.count_request("openai-chat", body, MODEL) * share)
        t0 = time.perf_counter()
        out = (
            await fn(body, budget, counter) if asyncio.iscoroutinefunction(fn) else fn(body, budget, counter)
        )
        times.append(time.perf_counter() - t0)
        text = text_of(out)
        kept += sum(p in text for p in probes)
        total += len(probes)
        used.append(100 * counter.count_request("openai-chat", out, MODEL) / budget)
        valid += not violations("openai-chat", out)
    return kept / total, statistics.mean(used), valid, statistics.mean(times)


async def quality(quick: bool) -> list[str]:
    counter = TokenCounter()
    await counter.warm()
    methods: dict[str, Callable[..., Any]] = {
        "ctxproxy (balanced, extractive)": ctxproxy,
        "keep-last": keep_last,
        "middle-out": middle_out,
        "litellm.trim_messages": litellm_trim,
    }
    size = 40_000 if quick else 80_000
    seeds = range(2 if quick else 4)
    rows = [
        "| session | budget | method | planted facts kept | tokens sent (% of budget) | valid requests | time / request |",
        "|---|---|---|---|---|---|---|",
    ]
    for kind in ("agent", "discussion"):
        sessions = [planted_script(size, 32, seed, kind) for seed in seeds]
        for share in (0.50, 0.25):
            for name, fn in methods.items():
                facts, used, valid, secs = await run_method(fn, sessions, share, counter)
                rows.append(
                    f"| {kind} | {int(share * 100)} % | {name} | {100 * facts:.0f} % | {used:.0f} % "
                    f"| {valid}/{len(sessions)} | {1e3 * secs:.0f} ms |"
                )
    return rows


# -- speed -----------------------------------------------------------------------------------------
def best_of(samples: list[float]) -> str:
    digits = 3 if statistics.median(samples) < 0.001 else 1
    return f"{1e3 * min(samples):.{digits}f} ms (median {1e3 * statistics.median(samples):.{digits}f})"


async def speed(quick: bool) -> list[str]:
    rows = ["| measurement | result | target |", "|---|---|---|"]
    t0 = time.perf_counter()
    warm = TokenCounter()
    await warm.warm()
    rows.append(
        f"| load both tiktoken encodings (once per process) | {1e3 * (time.perf_counter() - t0):.0f} ms | — |"
    )
    settings = load_settings(environ={}).compression
    encodings = warm._encodings

    big = to_chat(agent_script(1_000_000))
    cold: list[float] = []
    result = None
    for _ in range(1 if quick else 3):
        compactor = Compactor(settings, kv=MemoryKV(), counter=TokenCounter(encodings=encodings))
        t = time.perf_counter()
        result = await compactor.compress(big, "openai-chat", MODEL, Limits(128_000, None, None))
        cold.append(time.perf_counter() - t)
    assert result is not None and result.fits
    rows.append(
        f"| cold compaction, {result.tokens_before:,} tokens → 128k window ({result.tokens_after:,} sent) "
        f"| {best_of(cold)} | ≤ 1 s |"
    )

    mid = to_chat(agent_script(200_000))
    compactor = Compactor(settings, kv=MemoryKV(), counter=TokenCounter(encodings=encodings))
    first = await compactor.compress(mid, "openai-chat", MODEL, Limits(128_000, None, None))
    msgs = mid["messages"]
    turns: list[float] = []
    for k in range(30):
        msgs = [
            *msgs,
            {"role": "assistant", "content": f"step {k} done"},
            {"role": "user", "content": f"next {k}"},
        ]
        t = time.perf_counter()
        res = await compactor.compress(
            {**mid, "messages": msgs}, "openai-chat", MODEL, Limits(128_000, None, None)
        )
        turns.append(time.perf_counter() - t)
        assert res.reused_prefix
    rows.append(
        f"| next turn with memoized state, {first.tokens_before:,} tokens (prefix replayed) | {best_of(turns)} | ≤ 10 ms |"
    )

    compactor = Compactor(settings, kv=MemoryKV(), counter=TokenCounter(encodings=encodings))
    await compactor.compress(mid, "openai-chat", MODEL, Limits(1_000_000, None, None))
    msgs = mid["messages"]
    pre: list[float] = []
    for k in range(30):
        msgs = [*msgs, {"role": "assistant", "content": f"step {k}"}, {"role": "user", "content": f"go {k}"}]
        body = {**mid, "messages": msgs}
        raw = orjson.dumps(body)
        t = time.perf_counter()
        skipped = compactor.quick_skip(raw, body, "openai-chat", MODEL, Limits(1_000_000, None, None))
        res = await compactor.compress(body, "openai-chat", MODEL, Limits(1_000_000, None, None))
        pre.append(time.perf_counter() - t)
        assert not skipped and not res.compressed
    rows.append(
        f"| pre-flight under the trigger, 200k tokens, 1M window (quick_skip + compress) | {best_of(pre)} | ≤ 0.3 ms |"
    )

    texts = [filler(i, 400) for i in range(2000)]
    n_tokens = sum(len(warm.encoding(MODEL).encode_ordinary(t)) for t in texts)
    fresh = TokenCounter(encodings=encodings)
    enc = fresh.encoding(MODEL)
    t = time.perf_counter()
    for text in texts:
        fresh.count_text(text, enc)
    cold_s = time.perf_counter() - t
    t = time.perf_counter()
    for text in texts:
        fresh.count_text(text, enc)
    warm_s = time.perf_counter() - t
    rows.append(f"| token counting, uncached (o200k) | {n_tokens / cold_s / 1e6:.2f} M tokens/s | — |")
    rows.append(f"| token counting, memoized | {n_tokens / warm_s / 1e6:.0f} M tokens/s | — |")
    return rows


async def main(argv: list[str]) -> int:
    if "--help" in argv or "-h" in argv:
        print(__doc__)
        return 0
    quick = "--quick" in argv
    print(
        f"Compactor benchmarks, {datetime.date.today()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs{' (quick)' if quick else ''}; proxy package measured: {PROXY_PATH}\n"
    )
    print("\n".join(await speed(quick)))
    print()
    print("\n".join(await quality(quick)))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
