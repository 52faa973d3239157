"""A first user message that is a transcript (a client merging forty turns into one message)
goes into the digest as the oldest turns; a task (an instruction, an issue) never does."""

from __future__ import annotations

import itertools
import re
from typing import Any

import orjson

from proxy.compress import Compactor, Limits, TokenCounter, violations
from proxy.compress.stages import SummarizeStage
from proxy.compress.stages.task_transcript import transcript
from proxy.config import load_settings
from proxy.storage import MemoryKV
from tests.unit.compress.convgen import filler, to_chat
from tests.unit.compress.stagekit import BrokenSummarizer, stage_kit
from tests.unit.compress.transcript_chat import THINGS, anthropic_chat, merged_chat, transcript_lines, turn

COUNTER = TokenCounter()
SETTINGS = load_settings(environ={}).compression


def compactor(**kw: Any) -> Compactor:
    return Compactor(SETTINGS, kv=kw.pop("kv", MemoryKV()), counter=COUNTER, **kw)


LIMITS = Limits(5_000, None, None)


def test_a_transcript_spans_its_labelled_lines() -> None:
    lines = transcript_lines(12, 6)
    body = "\n".join(lines)
    assert transcript(body) == (0, len(body), frozenset({"Priya", "Tom"}))
    text = f"Here is our chat so far:\n{body}\nWhat did Tom bring to Porto?\n"
    assert (transcript(text) or ())[:2] == (
        len("Here is our chat so far:\n"),
        len("Here is our chat so far:\n") + len(body),
    )
    dated = "Chat export\n1:56 pm on 8 May, 2023\n" + "\n".join(
        line.split(" ", 6)[-1] if k == 0 else line for k, line in enumerate(lines)
    )
    span = transcript(dated)
    assert span is not None and dated[span[0] :].startswith("1:56 pm on 8 May, 2023\nPriya:")


def test_a_task_is_not_a_transcript() -> None:
    issue = (
        "Fix the crash in the importer.\nSteps to reproduce:\n1. Run `make import`\n"
        "Expected: the rows load.\nActual: KeyError: 'id'\nNote: only on Windows.\n"
        "Environment: Python 3.11\nVersion: 2.3.1\nSeverity: high\nComponent: importer\n"
        "Owner: Dana\nReviewer: Sam\n"
    )
    assert transcript(issue) is None
    monologue = "\n".join(f"Dana: step {i} of the plan is to read file{i}.py" for i in range(12))
    assert transcript(monologue) is None  # one speaker: notes, not a conversation
    too_short = "\n".join(transcript_lines(6, 6))
    assert transcript(too_short) is None
    prose = "\n".join(
        f"{line}\nand then a long stretch of prose\nand more of it" for line in transcript_lines(8, 8)
    )
    assert transcript(prose) is None  # labelled lines are under half of the span


async def test_the_first_message_transcript_goes_into_the_digest() -> None:
    body = merged_chat(preamble="Our chat so far:\n")
    body["messages"][1]["content"] += "\nRemind me where we went in June."
    result = await compactor().compress(body, "openai-chat", "gpt-4o", LIMITS)
    msgs = result.body["messages"]  # type: ignore[index]
    assert result.fits and not violations("openai-chat", result.body)  # type: ignore[arg-type]
    first = msgs[1]["content"]
    assert first.startswith("Our chat so far:\n[ctxproxy: the 40 lines of conversation")
    assert first.endswith("follows]\nRemind me where we went in June.")  # the line after the transcript stays
    digest = msgs[2]["content"]
    assert digest.startswith("[ctxproxy: summary of earlier conversation]")
    # the first message's turns are the digest's oldest, with their speaker and session day
    first_line = next(line for line in digest.split("\n") if line.startswith("- ["))
    assert re.match(r"- \[(wk )?8 May 2023\] (Priya|Tom):", first_line)  # (wk: a week's line)
    assert "Priya:" in first_line and "Tom:" in first_line
    assert re.search(r"\b10(0\d|[1-3]\d)\b", first_line)  # workshop numbers of turns 0–39
    assert msgs[-1] == body["messages"][-1]


async def test_the_folded_prefix_replays_byte_for_byte() -> None:
    kv = MemoryKV()
    body = merged_chat()
    first = await compactor(kv=kv).compress(body, "openai-chat", "gpt-4o", LIMITS, agent="a")
    more = {
        **body,
        "messages": [
            *body["messages"],
            {"role": "assistant", "content": "In Bath."},
            {"role": "user", "content": "ok"},
        ],
    }
    second = await compactor(kv=kv).compress(more, "openai-chat", "gpt-4o", LIMITS, agent="a")
    assert second.reused_prefix and second.stages == []
    sent = first.body["messages"]  # type: ignore[index]
    assert orjson.dumps(second.body["messages"][: len(sent)]) == orjson.dumps(sent)  # type: ignore[index]


async def test_a_first_message_of_one_session_goes_into_the_digest_too() -> None:
    """A client that sends a session a message: its first message, twelve turns, is history."""
    body = merged_chat(per=12)
    result = await compactor().compress(body, "openai-chat", "gpt-4o", LIMITS)
    first = result.body["messages"][1]["content"]  # type: ignore[index]
    assert (
        first == "[ctxproxy: the 12 lines of conversation this message held are in the digest that follows]"
    )


async def test_a_short_first_message_and_a_task_stay_verbatim() -> None:
    short = merged_chat(per=4)  # four turns: cheap verbatim, the task rule holds
    result = await compactor().compress(short, "openai-chat", "gpt-4o", LIMITS)
    assert result.compressed and result.body["messages"][1] == short["messages"][1]  # type: ignore[index]
    task = "Refactor the importer. " + " ".join(
        f"Keep the function load_rows_{i} as it is." for i in range(110)
    )
    body = merged_chat()
    body["messages"][1] = {"role": "user", "content": task}
    result = await compactor().compress(body, "openai-chat", "gpt-4o", LIMITS)
    assert result.compressed and result.body["messages"][1]["content"] == task  # type: ignore[index]


async def test_a_failing_summarizer_leaves_the_transcript_in_place() -> None:
    body = merged_chat()
    result = await compactor(summarizer=BrokenSummarizer()).compress(body, "openai-chat", "gpt-4o", LIMITS)
    assert result.body["messages"][1] == body["messages"][1]  # type: ignore[index]


async def test_anthropic_first_turn_keeps_alternating_with_the_digest_joined() -> None:
    body = anthropic_chat()
    result = await compactor().compress(
        body, "anthropic", "claude-sonnet-4-20250514", Limits(6_000, None, None)
    )
    assert result.fits and not violations("anthropic", result.body)  # type: ignore[arg-type]
    first = result.body["messages"][0]  # type: ignore[index]
    blocks = first["content"]
    assert blocks[0]["text"].startswith("[ctxproxy: the 40 lines of conversation")
    assert any(b["text"].startswith("[ctxproxy: summary of earlier conversation]") for b in blocks[1:])
    roles = [m["role"] for m in result.body["messages"]]  # type: ignore[index]
    assert all(a != b for a, b in itertools.pairwise(roles))


async def test_a_massgen_message_is_left_to_the_massgen_stage() -> None:
    history = "\n".join(turn(i).replace("Priya:", "User:").replace("Tom:", "Assistant:") for i in range(40))
    text = f"<CONVERSATION_HISTORY>\n{history}\n<END OF CONVERSATION_HISTORY>\n\n<ORIGINAL MESSAGE> Plan the trip <END OF ORIGINAL MESSAGE>"
    assert transcript(text) is not None  # shaped like one: the MassGen guard is what keeps it
    chat = merged_chat()
    items = [chat["messages"][0], {"role": "user", "content": text}, *chat["messages"][2:]]
    kit = stage_kit(items, target=0.4)
    await kit.run(SummarizeStage())
    assert kit.items()[1] == items[1] and not kit.new_violations()


async def test_a_task_of_labelled_lines_followed_by_tool_calls_stays_verbatim() -> None:
    cases = "\n".join(
        f"Expected: parse_row({i}) returns the row with id {i} and its {THINGS[i % 8]} column intact after the import\n"
        f"Actual: parse_row({i}) raises KeyError because the {THINGS[i % 8]} column of row {i} is dropped by the reader"
        for i in range(24)
    )
    task = f"Fix the importer.\n{cases}"
    assert transcript(task) is not None  # shaped like a transcript
    script: list[Any] = [("user", task)]
    for i in range(30):
        script.append(("tools", [("read_file", f'{{"path": "src/importer_{i}.py"}}', filler(i, 120))], None))
    script.append(("user", "Go on."))
    body = to_chat(script)
    result = await compactor().compress(body, "openai-chat", "gpt-4o", Limits(8_000, None, None))
    assert result.compressed and result.body["messages"][1]["content"] == task  # type: ignore[index]
