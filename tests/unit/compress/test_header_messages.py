"""Session headers a client sends as system messages of their own, between turns: they are
part of the conversation's flow, so the digest folds them with the turns around them and
dates those turns by them; a system message that says anything else stays where it is."""

from __future__ import annotations

import re
from typing import Any

from proxy.compress import Compactor, Limits, TokenCounter, violations
from proxy.compress.dates import header_day
from proxy.compress.protect import protected_groups
from proxy.config import load_settings
from proxy.storage import MemoryKV
from proxy.wire import get_adapter
from tests.unit.compress.transcript_chat import SESSIONS, turn

SETTINGS = load_settings(environ={}).compression
INSTRUCTION = "From now on, answer in French."


def session_line(n: int) -> str:
    when = SESSIONS[n - 1]
    return f"Session {n} · {when:%A}, {when.day} {when:%B} {when.year}"


def chat(instruction_at: int | None = None) -> dict[str, Any]:
    """Four sessions of 40 turns, one a message, the speaker in the ``name`` field, each
    session opened by a system message that is only its header."""
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": "Continue the chat between Priya and Tom."}
    ]
    for i in range(160):
        if i % 40 == 0:
            messages.append({"role": "system", "content": session_line(i // 40 + 1)})
        if i == instruction_at:
            messages.append({"role": "system", "content": INSTRUCTION})
        who, text = turn(i).split(": ", 1)
        messages.append({"role": "user" if who == "Priya" else "assistant", "name": who, "content": text})
    messages.append({"role": "user", "name": "Priya", "content": "What did we do in Bath, and when?"})
    return {"model": "gpt-4o", "messages": messages}


def test_a_header_alone_is_a_date_header() -> None:
    assert header_day("Session 3 · Monday, 3 July 2023") is not None
    assert header_day("9 June 2023\n\n[2023-06-09 19:55]") is not None
    for text in (INSTRUCTION, "Session 3 · Monday, 3 July 2023\nBe brief.", "", "Today is 3 July 2023."):
        assert header_day(text) is None, text


def test_a_header_message_is_not_protected_an_instruction_is() -> None:
    conv = get_adapter("openai-chat").parse(chat(instruction_at=60))
    keep = protected_groups(conv.groups, Compactor(SETTINGS, kv=MemoryKV()).policy("gpt-4o"))
    kinds = {i: g for i, g in enumerate(conv.groups) if g.kind == "system"}
    texts = {i: g.messages[0].segments[0].text for i, g in kinds.items()}
    assert {texts[i] for i in kinds if i in keep} == {INSTRUCTION}
    assert {texts[i] for i in kinds if i not in keep} == {session_line(2), session_line(3), session_line(4)}


async def test_the_digest_dates_its_turns_by_header_messages() -> None:
    compactor = Compactor(SETTINGS, kv=MemoryKV(), counter=TokenCounter())
    result = await compactor.compress(
        chat(instruction_at=60), "openai-chat", "gpt-4o", Limits(6_000, None, None)
    )
    assert result.body is not None and not violations("openai-chat", result.body)
    sent = result.body["messages"]
    contents = [m["content"] for m in sent]
    digest = next(c for c in contents if c.startswith("[ctxproxy: summary of earlier conversation]"))
    days = re.findall(r"^- \[(?:wk )?(\d+ \w+ 2023)\]", digest, re.M)
    # the first session dated by the header after the system prompt, the next by the messages
    assert days[0] == "8 May 2023" and "9 June 2023" in days
    assert INSTRUCTION in contents  # an instruction stays where it was
    folded = [n for n in (2, 3) if session_line(n) not in contents]
    assert folded  # the headers inside the folded span went with it


async def test_the_next_turn_replays_the_prefix_byte_for_byte() -> None:
    kv = MemoryKV()
    limits = Limits(6_000, None, None)
    body = chat()
    first = await Compactor(SETTINGS, kv=kv, counter=TokenCounter()).compress(
        body, "openai-chat", "gpt-4o", limits, agent="a"
    )
    assert first.body is not None
    more = {
        **body,
        "messages": [*body["messages"], {"role": "assistant", "name": "Tom", "content": "In May."}],
    }
    more["messages"].append({"role": "user", "name": "Priya", "content": "Right, the greyhound day."})
    second = await Compactor(SETTINGS, kv=kv, counter=TokenCounter()).compress(
        more, "openai-chat", "gpt-4o", limits, agent="a"
    )
    sent = first.body["messages"]
    assert second.body is not None and second.body["messages"][: len(sent)] == sent
