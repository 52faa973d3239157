"""MassGen body benchmark: does the ``<CONVERSATION_HISTORY>`` compaction drain to its target
and keep the user's questions, every ``<agentN.M>`` label and the facts said in the history?

Run: ``.venv/bin/python tests/bench/bench_massgen.py [--quick]``. Prints a markdown table for
docs/benchmarks.md ("MassGen bodies" in the "Conversation memory" section).

Bodies: the real MassGen request ``tests/data/massgen-requests/chatcompletions_run1_req_3.json``
(18.7 KB system prompt, one user message with the original question and two agent answers),
scaled up as in the issue: a ``<CONVERSATION_HISTORY>`` of 40 earlier exchanges (a user
question, then a long assistant answer of chit-chat-like prose from :mod:`memconv.chatter`) is
put before the original message, and four more long agent answers are added. Facts from
:mod:`memconv.facts` (one of each kind) are said in user turns (up to 12) and assistant answers
of the history. Each body
is compressed for ``gpt-4o-mini`` with a 32 000-token window (the issue's set-up).
"""

from __future__ import annotations

import asyncio
import datetime
import os
import platform
import random
import re
import statistics
import sys
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

from proxy.compress import Compactor, Limits, TokenCounter, violations
from proxy.config import load_settings
from proxy.storage import MemoryKV
from tests.bench.memconv import chatter
from tests.bench.memconv import metrics as mx
from tests.bench.memconv.facts import FACTORIES, Draw

REQUEST = (
    Path(__file__).resolve().parents[1] / "data" / "massgen-requests" / "chatcompletions_run1_req_3.json"
)
MODEL = "gpt-4o-mini"
WINDOW = 32_000
API = "openai-chat"
LABEL = re.compile(r"<(agent\d+\.\d+)>")
QUESTIONS = [
    "what should we check first about {x}?", "can you compare the options for {x}?",
    "how would you explain {x} to a beginner?", "what are the risks with {x}?",
    "could you summarise what we know about {x}?", "what would you do next with {x}?",
]  # fmt: skip
TOPICS = [
    "the garden redesign", "the budget spreadsheet", "the school run rota", "the kitchen renovation",
    "the charity bake sale", "the holiday itinerary", "the book club list", "the allotment schedule",
    "the wedding seating plan", "the car insurance renewal", "the birthday party", "the cycling route",
]  # fmt: skip


def prose(rng: random.Random, words: int, used: set[str]) -> str:
    out: list[str] = []
    while sum(len(s.split()) for s in out) < words:
        out.append(chatter.sentence(rng, used))
    return " ".join(out)


def scaled_body(seed: int) -> tuple[dict[str, Any], list[str], list[frozenset[str]]]:
    """(body, the history's user questions, the planted facts' key terms)."""
    rng = random.Random(seed)
    draw = Draw(rng)
    body = orjson.loads(REQUEST.read_bytes())["body"]
    events = []
    for factory in rng.sample(FACTORIES, len(FACTORIES)):
        events.append(factory(draw, "I", "you").events[0])
    user_slots = set(rng.sample(range(40), 12))
    answer_slots = set(rng.sample(range(40), 8))
    questions: list[str] = []
    facts: list[frozenset[str]] = []
    lines: list[str] = []
    for i in range(40):
        question = rng.choice(QUESTIONS).format(x=rng.choice(TOPICS))
        question = question[0].upper() + question[1:]
        questions.append(question)
        user = question
        if i in user_slots and events:
            event = events.pop()
            user = f"{event.text} {question}"
            facts.append(frozenset(w for k in event.keys for w in mx.terms(k)))
        answer = prose(rng, rng.randint(700, 1100), draw.used)
        if i in answer_slots and events:
            event = events.pop()
            cut = answer.find(". ", len(answer) // 2) + 2
            answer = f"{answer[:cut]}{event.text} {answer[cut:]}"
            facts.append(frozenset(w for k in event.keys for w in mx.terms(k)))
        lines.append(f"[user] {user}\n[assistant] {answer}")
    user_msg = next(m for m in body["messages"] if m["role"] == "user")
    extra = "\n".join(
        f"<agent{a % 2 + 1}.{a // 2 + 2}> {prose(rng, 400, draw.used)} <end of agent{a % 2 + 1}.{a // 2 + 2}>"
        for a in range(4)
    )
    text = user_msg["content"].replace("<END OF CURRENT ANSWERS>", extra + "\n<END OF CURRENT ANSWERS>")
    text = "<CONVERSATION_HISTORY>\n" + "\n".join(lines) + "\n<END OF CONVERSATION_HISTORY>\n\n" + text
    messages = [m if m is not user_msg else {**m, "content": text} for m in body["messages"]]
    return {**body, "model": MODEL, "messages": messages}, questions, facts


async def measure(seed: int, counter: TokenCounter) -> dict[str, Any]:
    body, questions, facts = scaled_body(seed)
    compactor = Compactor(load_settings(environ={}).compression, kv=MemoryKV(), counter=counter)
    result = await compactor.compress(body, API, MODEL, Limits(WINDOW, None, None))
    out = result.body if result.body is not None else body
    text = "\n".join(mx.message_texts(out))
    original = "\n".join(mx.message_texts(body))
    labels = set(LABEL.findall(original))
    sent_lines = [mx.term_set(line) for line in text.splitlines()]
    return {
        "before": result.tokens_before,
        "target": result.target_tokens,
        "after": result.tokens_after,
        "labels": sum(f"<{lab}>" in text and f"<end of {lab}>" in text for lab in labels) / len(labels),
        "original": "<ORIGINAL MESSAGE> What is 2+2? <END OF ORIGINAL MESSAGE>" in text,
        # a history question survives when all its terms are on one line of the sent text
        "questions": statistics.fmean(any(mx.term_set(q) <= line for line in sent_lines) for q in questions),
        "facts": statistics.fmean(any(f <= line for line in sent_lines) for f in facts),
        "valid": not violations(API, out),
        "ms": result.duration_ms,
    }


async def main(argv: list[str]) -> int:
    seeds = range(1, 3 if "--quick" in argv else 5)
    counter = TokenCounter()
    await counter.warm()
    print(
        f"MassGen body benchmark, {datetime.date.today()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs; {MODEL}, {WINDOW}-token window\n"
    )
    print(
        "| body | tokens before | target | tokens after | after / target | labels kept "
        "| original message | history questions kept | planted facts kept | valid | time |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for seed in seeds:
        r = await measure(seed, counter)
        print(
            f"| seed {seed} | {r['before']:,} | {r['target']:,} | {r['after']:,} "
            f"| {100 * r['after'] / r['target']:.0f} % | {100 * r['labels']:.0f} % "
            f"| {'kept' if r['original'] else 'LOST'} | {100 * r['questions']:.0f} % "
            f"| {100 * r['facts']:.0f} % | {'yes' if r['valid'] else 'no'} | {r['ms']:.0f} ms |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
