"""Natural-conversation memory benchmark: what of a long multi-session chat survives compression.

Run: ``.venv/bin/python tests/bench/bench_memory.py [--quick] [--convs N] [--sizes 0.5,0.25]
[--strategy NAME] [--no-litellm] [--dump DIR] [--style friends|assistant]``.
Prints markdown tables for docs/benchmarks.md ("Conversation memory" section).

Conversations come from :mod:`tests.bench.memconv.generate` (``--style friends``, the default) or
:mod:`tests.bench.memconv.assistant` (``--style assistant``: the harder variant, long turns with
facts in passing); both seeded and deterministic. Each is
compressed by ctxproxy's real compactor to about 50 % and 25 % of its tokens (the achieved size
is measured), and by the baselines at ctxproxy's *achieved* size. Metrics
(:mod:`tests.bench.memconv.metrics`) are computed on exactly what would be sent: every
message's content, the summary included.
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
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

from proxy.compress import Compactor, Limits, TokenCounter
from proxy.config import CompressionSettings, load_settings
from proxy.storage import MemoryKV
from tests.bench.memconv import metrics as mx
from tests.bench.memconv.assistant import generate_assistant
from tests.bench.memconv.baselines import API, bag_of_words, keep_last, litellm_trim, middle_out
from tests.bench.memconv.generate import Conversation, generate

STYLES: dict[str, Callable[[int], Conversation]] = {"friends": generate, "assistant": generate_assistant}
# a unit holding a fact may be this long: a verbatim assistant-style user turn is one line of
# 60–250 words (up to ~150 terms); a bag-of-words line is thousands
MAX_UNIT_TERMS = {"friends": mx.MAX_UNIT_TERMS, "assistant": 160}

MODEL = "gpt-4o"
SHARES = (0.50, 0.25, 0.125)  # the issue asks for 50 % and 25 %; 12.5 % shows the headroom
Method = Callable[[dict[str, Any], int, TokenCounter, str], dict[str, Any]]


@dataclasses.dataclass
class Score:
    """Pooled over conversations for one (method, share)."""

    answer: list[float] = dataclasses.field(default_factory=list)
    by_kind: dict[str, list[float]] = dataclasses.field(default_factory=lambda: defaultdict(list))
    evidence: list[float] = dataclasses.field(default_factory=list)
    facts: int = 0
    kept: int = 0
    attributed: int = 0
    size: list[float] = dataclasses.field(default_factory=list)
    seconds: list[float] = dataclasses.field(default_factory=list)


class Scorer:
    """The reference data of one conversation: IDF, full-text terms, evidence turns, facts."""

    def __init__(self, conv: Conversation, max_unit_terms: int = mx.MAX_UNIT_TERMS) -> None:
        self.conv = conv
        self.max_unit_terms = max_unit_terms
        self.idf = mx.Idf(t.message for t in conv.turns)
        self.full = mx.term_set("\n".join(mx.message_texts(conv.body(MODEL))))
        by_id = {t.id: t for t in conv.turns}
        self.evidence = sorted({e for q in conv.questions for e in q.evidence})
        self.evidence_text = {e: by_id[e].text for e in self.evidence}
        facts: dict[str, mx.FactRef] = {}
        for q in conv.questions:
            turn = by_id[q.evidence[-1]]
            keys = frozenset(w for k in q.keys for w in mx.terms(k))
            facts[turn.id] = mx.FactRef(q.speaker, conv.dates[turn.session], keys)
        self.facts = list(facts.values())

    def score(self, body: dict[str, Any], into: Score) -> None:
        texts = mx.message_texts(body)
        sent = mx.term_set("\n".join(texts))
        for q in self.conv.questions:
            r = mx.answer_recall(q.answer, sent, self.full, self.idf)
            if r is not None:
                into.answer.append(r)
                into.by_kind[q.kind].append(r)
        for e in self.evidence:
            r = mx.evidence_recall(self.evidence_text[e], sent, self.idf)
            if r is not None:
                into.evidence.append(r)
        kept, ok = mx.attribution(mx.units(texts, self.conv.speakers), self.facts, self.max_unit_terms)
        into.facts += len(self.facts)
        into.kept += kept
        into.attributed += ok


def compression_settings(strategy: str | None) -> CompressionSettings:
    settings = load_settings(environ={}).compression
    changes: dict[str, Any] = {"safety_margin": 0.0}
    if strategy:
        changes |= {"strategy": strategy, "trigger": None, "target": None}
    return dataclasses.replace(settings, **changes)


async def ctxproxy_at(
    body: dict[str, Any], goal: int, counter: TokenCounter, settings: CompressionSettings
) -> tuple[dict[str, Any], int]:
    """Compress with a fresh compactor, with an input budget chosen so the target is ``goal``.

    The budget is corrected (up to 4 tries) until the achieved size is within 3 % of ``goal``;
    returns the closest body and its counted size.
    """
    best: tuple[int, dict[str, Any]] | None = None
    scale = 1.0
    for _ in range(4):
        compactor = Compactor(settings, kv=MemoryKV(), counter=counter)
        target = compactor.policy(MODEL).target
        budget = max(1, int(goal * scale / target))
        result = await compactor.compress(body, API, MODEL, Limits(10 * budget, budget, 1))
        out = result.body if result.body is not None else body
        size = counter.count_request(API, out, MODEL)
        if best is None or abs(size - goal) < abs(best[0] - goal):
            best = (size, out)
        if abs(size - goal) <= 0.03 * goal:
            break
        scale *= goal / max(size, 1)
    assert best is not None
    return best[1], best[0]


def write_dump(
    folder: Path, name: str, body: dict[str, Any], questions: list[dict[str, Any]] | None = None
) -> None:
    """The sent text (and body) of one method's output, for reading what was kept."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.txt").write_text("\n\n".join(mx.message_texts(body)))
    (folder / f"{name}.json").write_bytes(orjson.dumps(body, option=orjson.OPT_INDENT_2))
    if questions is not None:
        (folder / f"{name}-questions.json").write_bytes(orjson.dumps(questions, option=orjson.OPT_INDENT_2))


async def run(
    convs: list[Conversation],
    strategy: str | None,
    dump: Path | None,
    shares: tuple[float, ...] = SHARES,
    with_litellm: bool = True,
    max_unit_terms: int = mx.MAX_UNIT_TERMS,
) -> dict[tuple[str, float], Score]:
    counter = TokenCounter()
    await counter.warm()
    settings = compression_settings(strategy)
    label = f"ctxproxy ({settings.strategy})"
    baselines: dict[str, Method] = {
        "keep-last": keep_last,
        "middle-out": middle_out,
        "litellm.trim_messages": litellm_trim,
        "bag of words (control)": bag_of_words,
    }
    if not with_litellm:  # it is most of the run time, and always equals keep-last here
        del baselines["litellm.trim_messages"]
    scores: dict[tuple[str, float], Score] = defaultdict(Score)
    for conv in convs:
        scorer = Scorer(conv, max_unit_terms)
        body = conv.body(MODEL)
        full = counter.count_request(API, body, MODEL)
        scorer.score(body, scores[("uncompressed", 1.0)])
        scores[("uncompressed", 1.0)].size.append(1.0)
        for share in shares:
            t0 = time.perf_counter()
            out, size = await ctxproxy_at(body, int(full * share), counter, settings)
            secs = time.perf_counter() - t0
            s = scores[(label, share)]
            scorer.score(out, s)
            s.size.append(size / full)
            s.seconds.append(secs)
            if dump is not None:
                write_dump(dump, f"conv{conv.seed}-{int(share * 100)}", out)
            for name, fn in baselines.items():
                t0 = time.perf_counter()
                trimmed = fn(body, size, counter, MODEL)
                secs = time.perf_counter() - t0
                s = scores[(name, share)]
                scorer.score(trimmed, s)
                s.size.append(counter.count_request(API, trimmed, MODEL) / full)
                s.seconds.append(secs)
        if dump is not None:
            write_dump(dump, f"conv{conv.seed}-full", body, [dataclasses.asdict(q) for q in conv.questions])
    return scores


def mean(values: list[float]) -> float:
    return statistics.fmean(values) if values else float("nan")


def tables(scores: dict[tuple[str, float], Score]) -> list[str]:
    rows = [
        "| method | size | answer recall | evidence recall | attribution | facts kept in context | tokens sent (of original) | time / conversation |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for (name, share), s in sorted(scores.items(), key=lambda kv: (-kv[0][1], kv[0][0] != "uncompressed")):
        attribution = s.attributed / s.kept if s.kept else float("nan")
        timing = f"{1e3 * mean(s.seconds):.0f} ms" if s.seconds else "–"
        rows.append(
            f"| {name} | {share * 100:g} % | {mean(s.answer):.3f} | {mean(s.evidence):.3f} "
            f"| {attribution:.3f} | {s.kept}/{s.facts} | {100 * mean(s.size):.1f} % | {timing} |"
        )
    kinds = sorted({k for s in scores.values() for k in s.by_kind})
    rows += ["", "Answer recall by question kind:", ""]
    rows.append("| method | size | " + " | ".join(kinds) + " |")
    rows.append("|---|---|" + "---|" * len(kinds))
    for (name, share), s in sorted(scores.items(), key=lambda kv: (-kv[0][1], kv[0][0] != "uncompressed")):
        cells = [f"{mean(s.by_kind[k]):.3f} ({len(s.by_kind[k])})" for k in kinds]
        rows.append(f"| {name} | {share * 100:g} % | " + " | ".join(cells) + " |")
    return rows


def describe(convs: list[Conversation], counter_sizes: list[int]) -> str:
    turns = sum(len(c.turns) for c in convs)
    sessions = sum(len(c.dates) for c in convs)
    questions = sum(len(c.questions) for c in convs)
    return (
        f"{len(convs)} conversations, {sessions} sessions, {turns} turns, {questions} questions; "
        f"{min(counter_sizes):,}–{max(counter_sizes):,} tokens each (total {sum(counter_sizes):,})"
    )


async def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    n = int(argv[argv.index("--convs") + 1]) if "--convs" in argv else (3 if quick else 8)
    shares = (
        tuple(float(x) for x in argv[argv.index("--sizes") + 1].split(",")) if "--sizes" in argv else SHARES
    )
    strategy = argv[argv.index("--strategy") + 1] if "--strategy" in argv else None
    dump = Path(argv[argv.index("--dump") + 1]) if "--dump" in argv else None
    style = argv[argv.index("--style") + 1] if "--style" in argv else "friends"
    if style not in STYLES:
        print(f"unknown --style {style!r}; choose one of {', '.join(STYLES)}", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    convs = [STYLES[style](seed) for seed in range(1, n + 1)]
    counter = TokenCounter()
    await counter.warm()
    sizes = [counter.count_request(API, c.body(MODEL), MODEL) for c in convs]
    scores = await run(convs, strategy, dump, shares, "--no-litellm" not in argv, MAX_UNIT_TERMS[style])
    print(
        f"Conversation memory benchmark ({style}), {datetime.date.today()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs{' (quick)' if quick else ''}; {describe(convs, sizes)}; "
        f"model {MODEL}; {time.perf_counter() - t0:.0f} s\n"
    )
    print("\n".join(tables(scores)))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
