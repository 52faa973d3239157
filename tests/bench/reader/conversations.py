"""The conversation benchmark's run: per set and rendering, ctxproxy and the baselines at its
achieved size, scored by reader recall and attributed evidence (:mod:`reading`)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from proxy.compress import TokenCounter
from tests.bench.memconv.baselines import bag_of_words, keep_last, middle_out
from tests.bench.reader import attribution as at
from tests.bench.reader import reading as rd
from tests.bench.reader import retrieval as rt
from tests.bench.reader.compaction import API, MODEL, compress
from tests.bench.reader.dialogue import Dialogue
from tests.bench.reader.extraction import last_turns, middle_out_turns, whole_turns
from tests.bench.reader.render import BY_TURNS, renderer, system_prompt

METHODS = ("ctxproxy", "keep-last", "middle-out", "whole-turn extraction", "bag of words (control)")
BASELINES = METHODS[1:4]


@dataclass(slots=True)
class Cell:
    """One (set, rendering): pooled over its conversations."""

    conversations: int = 0
    tokens: list[int] = field(default_factory=list)
    size: list[float] = field(default_factory=list)  # tokens sent ÷ the conversation's tokens
    size_budget: list[float] = field(default_factory=list)  # tokens sent ÷ the input budget
    recall: dict[str, rt.RecallScore] = field(default_factory=lambda: {m: rt.RecallScore() for m in METHODS})
    attribution: at.Attribution = field(default_factory=at.Attribution)
    seconds: list[float] = field(default_factory=list)


def shares(a: at.Attribution) -> tuple[float, float]:
    """(right speaker, right day): shares of the evidence turns not kept verbatim whose digest
    segment (the one holding most of their words) names their speaker / carries their day."""
    return mean([float(x) for x in a.speaker]), mean([float(x) for x in a.day])


def segment_shares(a: at.Attribution) -> tuple[float, float]:
    """(right speaker, right day): shares of the digest segments with a clear source turn."""
    if not a.segments:
        return float("nan"), float("nan")
    return a.segment_speaker / a.segments, a.segment_day / a.segments


def evidence_shares(a: at.Attribution) -> tuple[float, float]:
    """(right speaker, right day) of the segments that stand for an evidence turn not kept."""
    if not a.matched:
        return float("nan"), float("nan")
    return a.speaker_right / a.matched, a.day_right / a.matched


def mean(values: Sequence[float]) -> float:
    return statistics.fmean(values) if values else float("nan")


def questions_of(d: Dialogue, every: int) -> Dialogue:
    """Every ``every``-th question (the quick run)."""
    if every <= 1:
        return d
    return Dialogue(d.name, d.speakers, d.sessions, d.turns, d.questions[::every])


async def measure(
    d: Dialogue,
    rendering: str,
    strategy: str,
    counter: TokenCounter,
    cell: Cell,
    dump: Path | None = None,
    output: int = 0,
    target: float | None = None,
    share: float | None = None,
) -> None:
    """``output`` > 0: the request asks for that many output tokens (``max_tokens``) and the
    window is the conversation's tokens + ``output``, so the input budget is about the
    conversation's tokens; 0: the window is the conversation's tokens (the default reading)."""
    render = renderer(rendering)
    if render is None:
        raise ValueError(f"unknown rendering {rendering!r}")
    body = render(d, MODEL)
    if output:
        body = {**body, "max_tokens": output}
    system = system_prompt(d)

    def count(b: dict[str, Any]) -> int:
        return counter.count_request(API, b, MODEL)

    full_tokens = count(body)
    idf = rt.dialogue_idf(d)
    full = rt.Library(rd.reading_units(body, system))
    t0 = time.perf_counter()
    sent, result = await compress(
        body, strategy, counter, window=full_tokens + output, target=target, share=share
    )
    cell.seconds.append(time.perf_counter() - t0)
    size = count(sent)
    cell.conversations += 1
    cell.tokens.append(full_tokens)
    cell.size.append(size / full_tokens)
    cell.size_budget.append(size / max(int(result.budget), 1))
    outs: dict[str, dict[str, Any]] = {
        "ctxproxy": sent,
        "keep-last": keep_last(body, size, counter, MODEL)
        if rendering not in BY_TURNS
        else last_turns(d, render, MODEL, size, count),
        "middle-out": middle_out(body, size, counter, MODEL)
        if rendering not in BY_TURNS
        else middle_out_turns(d, render, MODEL, size, count),
        "whole-turn extraction": whole_turns(d, render, MODEL, size, count, idf),
        "bag of words (control)": bag_of_words(body, size, counter, MODEL),
    }
    for method, out in outs.items():
        units = rd.reading_units(out, system)
        rt.reader_recall(
            d.questions, rt.Library(units), full, idf, cell.recall[method], keep_misses=method == "ctxproxy"
        )
        if method == "ctxproxy":
            at.attribution(d, units, idf, cell.attribution)
    if dump is not None:
        dump.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 (a debugging aid, off by default)
        stem = f"{d.name}-{rendering}"
        text = "\n\n".join(
            f"## {m.get('role')}{' (' + m['name'] + ')' if m.get('name') else ''}\n{rd.message_text(m)}"
            for m in sent["messages"]
        )
        (dump / f"{stem}.txt").write_text(text)
        (dump / f"{stem}.json").write_bytes(orjson.dumps(sent, option=orjson.OPT_INDENT_2))


def fmt(x: float) -> str:
    return "–" if x != x else f"{x:.3f}"


def tables(cells: dict[tuple[str, str], Cell]) -> list[str]:
    rows = [
        "| set | rendering | convs | tokens | size (of the tokens) | size (of the input budget) "
        "| reader recall: ctxproxy | keep-last | middle-out "
        "| whole-turn extraction | best baseline | bag of words (control) | right speaker | right day "
        "| attributed evidence |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for (name, rendering), c in cells.items():
        r = {m: mean(c.recall[m].values) for m in METHODS}
        best = max(r[m] for m in BASELINES)
        a = c.attribution
        speaker, day = shares(a)
        rows.append(
            f"| {name} | {rendering} | {c.conversations} | {int(mean(c.tokens)):,} | {fmt(mean(c.size))} "
            f"| {fmt(mean(c.size_budget))} "
            f"| **{fmt(r['ctxproxy'])}** | {fmt(r['keep-last'])} | {fmt(r['middle-out'])} "
            f"| {fmt(r['whole-turn extraction'])} | {fmt(best)} | {fmt(r['bag of words (control)'])} "
            f"| {fmt(speaker)} | {fmt(day)} "
            f"| {fmt(mean(a.scores))} |"
        )
    return rows


TARGET_RECALL = 0.80
TARGET_ATTRIBUTED = 0.80
TARGET_SPEAKER_DAY = 0.95
TARGET_SIZE = 0.30


def targets(cells: dict[tuple[str, str], Cell]) -> list[str]:
    """Each cell against the targets: ✓ met, ✗ missed (with the figure)."""

    def mark(ok: bool, value: float) -> str:
        return f"{'✓' if ok else '✗'} {fmt(value)}"

    rows = [
        f"| set | rendering | size ≤ {TARGET_SIZE:g} (the larger) | reader recall ≥ {TARGET_RECALL:g} | above every baseline "
        f"| right speaker ≥ {TARGET_SPEAKER_DAY:g} | right day ≥ {TARGET_SPEAKER_DAY:g} "
        f"| attributed ≥ {TARGET_ATTRIBUTED:g} |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for (name, rendering), c in cells.items():
        r = {m: mean(c.recall[m].values) for m in METHODS}
        best = max(r[m] for m in BASELINES)
        a = c.attribution
        speaker, day = shares(a)
        size, attributed = max(mean(c.size), mean(c.size_budget)), mean(a.scores)
        rows.append(
            f"| {name} | {rendering} | {mark(size <= TARGET_SIZE, size)} "
            f"| {mark(r['ctxproxy'] >= TARGET_RECALL, r['ctxproxy'])} "
            f"| {mark(r['ctxproxy'] > best, r['ctxproxy'] - best)} "
            f"| {mark(speaker >= TARGET_SPEAKER_DAY, speaker)} | {mark(day >= TARGET_SPEAKER_DAY, day)} "
            f"| {mark(attributed >= TARGET_ATTRIBUTED, attributed)} |"
        )
    return rows


def detail(cells: dict[tuple[str, str], Cell]) -> list[str]:
    """Questions scored, evidence kept verbatim, ctxproxy's recall by category, time."""
    cats = sorted({k for c in cells.values() for k in c.recall["ctxproxy"].by_category})
    rows = [
        "| set | rendering | questions (skipped) | digest segments (unclear) | segments: right speaker "
        "| segments: right day | evidence turns (kept verbatim / matched ≥ ½) | matched: right speaker "
        "| matched: right day | content recall "
        "| " + " | ".join(f"ctxproxy cat {k}" for k in cats) + " | pooled ratio: ctxproxy | keep-last "
        "| middle-out | whole-turn extraction | bag of words | compress time |",
        "|---|---|---|---|---|---|---|---|---|---|" + "---|" * len(cats) + "---|---|---|---|---|---|",
    ]
    for (name, rendering), c in cells.items():
        s = c.recall["ctxproxy"]
        a = c.attribution
        by = [fmt(mean(s.by_category.get(k, []))) for k in cats]
        rows.append(
            f"| {name} | {rendering} | {len(s.values)} ({s.skipped}) | {a.segments} ({a.unclear}) "
            f"| {fmt(segment_shares(a)[0])} | {fmt(segment_shares(a)[1])} "
            f"| {a.evidence} ({a.kept} / {a.matched}) | {fmt(evidence_shares(a)[0])} | {fmt(evidence_shares(a)[1])} "
            f"| {fmt(mean(a.content))} | "
            + " | ".join(by)
            + " | "
            + " | ".join(fmt(c.recall[m].pooled) for m in METHODS)
            + f" | {1e3 * mean(c.seconds):.0f} ms |"
        )
    return rows


def explain(cells: dict[tuple[str, str], Cell], n: int) -> list[str]:
    """The ``n`` worst-read questions of each cell: what the reader got from ctxproxy's request
    and from the uncompressed one."""
    out: list[str] = []
    for (name, rendering), c in cells.items():
        misses = sorted(c.recall["ctxproxy"].misses, key=lambda m: (m[0], m[1]))[:n]
        if not misses:
            continue
        out.append(f"### {name} / {rendering}")
        for value, question, answer, got, full in misses:
            out += [
                f"- **{question}** gold: {answer!r} · reader recall {value:.2f}",
                "  - compressed reads: " + got[:400].replace("\n", " ⏎ "),
                "  - uncompressed reads: " + full[:400].replace("\n", " ⏎ "),
            ]
    return out


Progress = Callable[[str], None]
