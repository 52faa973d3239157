"""A recent message that is a long transcript (a client merging forty turns into a message):
when the digest of everything before it is short of room, its oldest lines join the digest and
it keeps its newest lines; the digest and the lines kept stay in order; the newest message, a
tool loop's messages and another conversation's lines are never folded."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from typing import Any

import orjson

from proxy.compress import Compactor, Limits, TokenCounter, violations
from proxy.compress.digest_units import make_units
from proxy.compress.stages import SummarizeStage
from proxy.compress.stages.recent_transcript import MARKER, WHOLE_MARKER
from proxy.compress.summarizer import DroppedMessage
from proxy.config import load_settings
from proxy.storage import MemoryKV
from tests.unit.compress.stagekit import BrokenSummarizer, stage_kit
from tests.unit.compress.transcript_chat import anthropic_chat, merged_chat, transcript_lines

COUNTER = TokenCounter()
SETTINGS = load_settings(environ={}).compression
AGGRESSIVE = replace(SETTINGS, strategy="aggressive")
OLDER = re.compile(re.escape(MARKER).replace(r"\{n\}", r"(\d+)"))
WHOLE = re.compile(re.escape(WHOLE_MARKER).replace(r"\{n\}", r"(\d+)"))


def compactor(settings: Any = AGGRESSIVE, **kw: Any) -> Compactor:
    return Compactor(settings, kv=kw.pop("kv", MemoryKV()), counter=COUNTER, **kw)


def digest_days(text: str) -> list[str]:
    return re.findall(r"^- \[(?:wk )?(\d+ \w+ 2023)\]", text, re.M)


async def test_a_recent_transcript_keeps_only_its_newest_lines() -> None:
    body = merged_chat()  # four messages of forty lines, then the question
    window = 6_000
    result = await compactor().compress(body, "openai-chat", "gpt-4o", Limits(window, None, None))
    assert result.body is not None and not violations("openai-chat", result.body)
    sent = result.body["messages"]
    assert sent[-1] == body["messages"][-1]  # the newest message: verbatim
    recent = sent[-2]["content"]
    lines = recent.split("\n")
    assert OLDER.fullmatch(lines[0]) and int(OLDER.fullmatch(lines[0]).group(1)) == 36  # type: ignore[union-attr]
    assert lines[1] == "1 August 2023"  # the kept lines' day: their first has no stamp
    assert lines[2:] == body["messages"][-2]["content"].split("\n")[-4:]  # aggressive: the newest 4
    digest = next(m["content"] for m in sent if m["content"].startswith("[ctxproxy: summary"))
    assert digest_days(digest)[-1] == "1 August 2023"
    assert re.search(r"\b11[2-4]\d\b", digest)  # workshop numbers of the folded lines (turns 120–149)
    assert not any("ctxproxy cut" in m["content"] for m in sent)


async def test_the_digest_and_the_lines_kept_stay_in_order() -> None:
    """Balanced keeps four groups: three transcripts and the question. A message folds whole
    before the next one's older lines follow it into the digest."""
    body = merged_chat()
    result = await compactor(SETTINGS).compress(body, "openai-chat", "gpt-4o", Limits(5_000, None, None))
    assert result.body is not None and not violations("openai-chat", result.body)
    sent = [m["content"] for m in result.body["messages"]]
    assert [bool(WHOLE.fullmatch(c)) for c in sent[3:5]] == [True, True]
    assert OLDER.match(sent[5]) and sent[5].split("\n")[1] == "1 August 2023"
    kept = sent[5].split("\n")[2:]  # the newest lines, balanced: 8 at least
    assert len(kept) >= 8 and kept == body["messages"][4]["content"].split("\n")[-len(kept) :]
    days = digest_days(sent[2])
    dates = [dt.datetime.strptime(d, "%d %B %Y") for d in days]
    assert dates == sorted(dates) and days[-1] == "1 August 2023"
    assert not any("ctxproxy cut" in c for c in sent)


async def test_the_newest_message_and_a_room_that_suffices_leave_it_whole() -> None:
    body = merged_chat()
    body["messages"] = body["messages"][:-1]  # the conversation ends on a transcript message
    result = await compactor().compress(body, "openai-chat", "gpt-4o", Limits(6_000, None, None))
    assert result.body is not None and result.body["messages"][-1] == body["messages"][-1]

    items = merged_chat(per=20)["messages"]  # the recent message: twenty lines
    roomy = stage_kit(items, target=0.5, keep_recent_groups=2)
    await roomy.run(SummarizeStage())
    assert roomy.items()[-2] == items[-2]  # the digest had the room it wanted: no fold
    tight = stage_kit(items, target=0.2, keep_recent_groups=2)
    await tight.run(SummarizeStage())
    assert OLDER.match(tight.items()[-2]["content"]) and not tight.new_violations()


async def test_it_folds_only_the_lines_the_digest_needs() -> None:
    """A tighter target folds more lines, never the newest 4; the kept lines are dated by the
    span before them when the message carries no stamp of its own."""
    items = merged_chat(per=20)["messages"]  # the recent message: turns 140–159, no header
    counts = []
    for target in (0.2, 0.35):
        kit = stage_kit(items, target=target, keep_recent_groups=2)
        await kit.run(SummarizeStage())
        text = kit.items()[-2]["content"]
        found = OLDER.match(text)
        assert found is not None and not kit.new_violations()
        counts.append(int(found.group(1)))
        lines = text.split("\n")
        assert lines[1] == "1 August 2023"
        assert lines[2:] == items[-2]["content"].split("\n")[counts[-1] :]
    assert counts[0] == 16 and 0 < counts[1] < counts[0]


async def test_another_conversations_lines_are_not_folded() -> None:
    items = merged_chat()["messages"]
    strangers = "\n".join(
        line.replace("Priya:", "Alma:").replace("Tom:", "Rui:") for line in transcript_lines()
    )
    items[-2] = {**items[-2], "content": strangers[: len(items[-2]["content"])]}
    kit = stage_kit(items, target=0.15, keep_recent_groups=2)
    await kit.run(SummarizeStage())
    assert kit.items()[-2] == items[-2]


async def test_a_tool_loop_is_not_folded() -> None:
    tools = merged_chat()["messages"]
    call = {"id": "call_1", "type": "function", "function": {"name": "lookup", "arguments": "{}"}}
    tools[2:2] = [
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": "call_1", "content": "found 3 rows"},
    ]
    kit = stage_kit(tools, target=0.15, keep_recent_groups=2)
    await kit.run(SummarizeStage())
    assert kit.items()[-2] == tools[-2]


async def test_the_next_turn_replays_the_folded_message_byte_for_byte() -> None:
    kv = MemoryKV()
    limits = Limits(6_000, None, None)
    body = merged_chat()
    first = await compactor(kv=kv).compress(body, "openai-chat", "gpt-4o", limits, agent="a")
    assert first.body is not None and OLDER.match(first.body["messages"][-2]["content"])
    more = {
        **body,
        "messages": [*body["messages"], {"role": "assistant", "content": "Bath, in May."}],
    }
    more["messages"].append({"role": "user", "content": "And Leeds?"})
    second = await compactor(kv=kv).compress(more, "openai-chat", "gpt-4o", limits, agent="a")
    sent = first.body["messages"][:-1]
    assert second.body is not None
    assert orjson.dumps(second.body["messages"][: len(sent)]) == orjson.dumps(sent)


def test_a_marker_left_in_a_message_is_not_digested() -> None:
    text = MARKER.format(n=36) + "\n" + "\n".join(transcript_lines(4))
    units, _ = make_units((DroppedMessage("assistant", text),), None)
    assert units and not any("ctxproxy" in u.text or "older lines" in u.text for u in units)


async def test_a_failing_summarizer_leaves_recent_messages_as_they_were() -> None:
    items = merged_chat()["messages"]
    kit = stage_kit(items, target=0.15, summarizer=BrokenSummarizer())
    await kit.run(SummarizeStage())
    assert kit.items() == items


async def test_anthropic_recent_transcripts_fold_and_roles_still_alternate() -> None:
    """Anthropic pairs an assistant message with the user message after it: the transcripts
    of the newest group but its last message (the question) fold too."""
    body = anthropic_chat()
    messages = body["messages"]
    result = await compactor().compress(
        body, "anthropic", "claude-sonnet-4-20250514", Limits(6_000, None, None)
    )
    assert result.body is not None and not violations("anthropic", result.body)
    sent = result.body["messages"]
    assert [m["role"] for m in sent] == [m["role"] for m in messages]  # nothing dropped: alternating
    texts = [m["content"] if isinstance(m["content"], str) else m["content"][0]["text"] for m in sent]
    assert OLDER.match(texts[-2]) and texts[-2].endswith(messages[-2]["content"].split("\n")[-1])
    assert texts[-1] == messages[-1]["content"]  # (a cache breakpoint added: the text as it was)
