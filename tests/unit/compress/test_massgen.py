"""Real MassGen request bodies, scaled up, compress with labels and the original message intact."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import orjson
import pytest

from proxy.compress import Compactor, Limits, TokenCounter, violations
from proxy.config import load_settings
from proxy.storage import MemoryKV
from proxy.wire import api_for_path
from tests.unit.compress.convgen import filler

REQUESTS = Path(__file__).resolve().parents[2] / "data" / "massgen-requests"
COUNTER = TokenCounter()
ORIGINAL = re.compile(r"<ORIGINAL MESSAGE>.*?<END OF ORIGINAL MESSAGE>", re.S)


def load(name: str) -> tuple[str, dict[str, Any]]:
    captured = orjson.loads((REQUESTS / name).read_bytes())
    api = api_for_path(captured["path"])
    assert api is not None
    return api, captured["body"]


def scaled_user_text(text: str, turns: int, answers: int) -> str:
    """History of ``turns`` earlier exchanges and ``answers`` long agent answers."""
    history = "\n".join(
        f"[user] Question {i}: what did we decide about build {i}? [assistant] {filler(i, 120)}"
        for i in range(turns)
    )
    blocks = "\n".join(
        f"<agent{a % 3 + 1}.{a // 3 + 1}> {filler(a + 50, 400)} <end of agent{a % 3 + 1}.{a // 3 + 1}>"
        for a in range(answers)
    )
    text = f"<CONVERSATION_HISTORY>\n{history}\n<END OF CONVERSATION_HISTORY>\n\n{text}"
    return text.replace("<END OF CURRENT ANSWERS>", blocks + "\n<END OF CURRENT ANSWERS>")


CONTAINER = {"openai-responses": "input", "gemini": "contents"}


def user_text(api: str, body: dict[str, Any]) -> str:
    items = body[CONTAINER.get(api, "messages")]
    user = next(m for m in items if m.get("role") == "user")
    content = user["parts"] if api == "gemini" else user["content"]
    return content if isinstance(content, str) else "".join(b.get("text", "") for b in content)


def set_user_text(api: str, body: dict[str, Any], text: str) -> dict[str, Any]:
    key = CONTAINER.get(api, "messages")
    items = [dict(m) for m in body[key]]
    for m in items:
        if m.get("role") == "user":
            if api == "gemini":
                m["parts"] = [{"text": text}]
            else:
                m["content"] = text
            break
    return {**body, key: items}


@pytest.mark.parametrize(
    "name",
    [
        "chatcompletions_run1_req_3.json",
        "claude_gemini_probe_req_1.json",
        "claude_gemini_probe_req_2.json",
        "responses_run3_req_1.json",
    ],
)
async def test_scaled_massgen_body_keeps_original_message_and_labels(name: str) -> None:
    api, body = load(name)
    original_text = user_text(api, body)
    big = set_user_text(api, body, scaled_user_text(original_text, turns=150, answers=12))
    model = {"anthropic": "claude-sonnet-4-5", "gemini": "gemini-2.5-flash"}.get(api, "gpt-4o")
    compactor = Compactor(load_settings(environ={}).compression, kv=MemoryKV(), counter=COUNTER)
    before = COUNTER.count_request(api, big, model)
    reserved = big.get("max_tokens") or 1024
    window = int(before * 0.9) + reserved  # just over the trigger: history must shrink
    result = await compactor.compress(big, api, model, Limits(window, None, 1024))
    assert result.compressed and result.body is not None
    assert result.fits and result.tokens_after <= result.target_tokens
    assert violations(api, result.body) <= violations(api, big)
    old, new = user_text(api, big), user_text(api, result.body)
    assert ORIGINAL.search(old).group(0) in new  # type: ignore[union-attr]
    labels = re.findall(r"<(?:end of )?agent\d+\.\d+>", old)
    assert len(labels) >= 24 and all(label in new for label in labels)
    assert "<CONVERSATION_HISTORY>" in new and "<END OF CONVERSATION_HISTORY>" in new
    key = CONTAINER.get(api, "messages")
    assert [m for m in result.body[key] if m.get("role") == "system"] == [
        m for m in big[key] if m.get("role") == "system"
    ]
    assert result.body.get("system") == big.get("system") and result.body["tools"] == big["tools"]
    if api == "gemini":  # MassGen puts its system prompt into the user turn: it stays verbatim
        prompt = old[old.index("<END OF CONVERSATION_HISTORY>") : old.index("<ORIGINAL MESSAGE>")]
        assert len(prompt) > 10_000 and prompt in new


async def test_massgen_history_already_broken_by_massgen_is_not_made_worse() -> None:
    api, body = load("reactive_compression_req_7.json")  # an orphan tool message MassGen produced
    assert violations(api, body)
    compactor = Compactor(load_settings(environ={}).compression, kv=MemoryKV(), counter=COUNTER)
    result = await compactor.compress(body, api, "gpt-4o", Limits(8000, None, 1024), force_target=0.3)
    sent = result.body if result.body is not None else body
    assert violations(api, sent) <= violations(api, body)


def forty_turn_history(text: str) -> str:
    """The issue's scaled body: a 40-turn ``User:`` / ``Assistant:`` history of long answers."""
    history = "\n".join(
        f"User: Question {i}: what did we decide about build {i}?\nAssistant: {filler(i, 1000)}"
        for i in range(40)
    )
    return f"<CONVERSATION_HISTORY>\n{history}\n<END OF CONVERSATION_HISTORY>\n\n{text}"


async def test_forty_turn_history_drains_to_its_target_keeping_questions_and_labels() -> None:
    api, body = load("chatcompletions_run1_req_3.json")
    big = set_user_text(api, body, forty_turn_history(user_text(api, body)))
    compactor = Compactor(load_settings(environ={}).compression, kv=MemoryKV(), counter=COUNTER)
    result = await compactor.compress(big, api, "gpt-4o-mini", Limits(32000, None, None))
    assert result.compressed and result.body is not None and result.tokens_before > 50_000
    assert 0.9 * result.target_tokens <= result.tokens_after <= result.target_tokens  # within 10 %
    new = user_text(api, result.body)
    assert all(f"User: Question {i}: what did we decide about build {i}?" in new for i in range(40))
    labels = re.findall(r"<(?:end of )?agent\d+\.\d+>", user_text(api, big))
    assert labels and all(label in new for label in labels)
    assert ORIGINAL.search(user_text(api, big)).group(0) in new  # type: ignore[union-attr]
    assert violations(api, result.body) <= violations(api, big)


async def test_history_answers_are_attributed_to_their_agent() -> None:
    from proxy.compress.stages.massgen import history_turns

    turns = history_turns(
        "User: Which database should we use?\nAssistant: <agent2.1> Postgres 16, because the "
        "team knows it. <end of agent2.1>\nUser: And the cache?\nAssistant: Redis 7 with a 5 minute TTL."
    )
    assert [(t.role, t.speaker, t.required) for t in turns] == [
        ("user", "User", True),
        ("assistant", "agent2.1", False),
        ("user", "User", True),
        ("assistant", "Assistant", False),
    ]


def test_history_digest_keeps_every_user_question_even_after_a_statement() -> None:
    from proxy.compress.stages.massgen import compress_history

    turns = "\n".join(
        f"User: I moved to Leeds in {2000 + i}. Which gym near Harrow Road {i} opens early?\n"
        f"Assistant: {filler(i, 300)}"
        for i in range(12)
    )
    text = f"<CONVERSATION_HISTORY>\n{turns}\n<END OF CONVERSATION_HISTORY>\n<ORIGINAL MESSAGE> Hi <END OF ORIGINAL MESSAGE>"
    count = COUNTER.encoding("gpt-4o").encode_ordinary
    size = len(count(text))
    out = compress_history(text, size // 2, lambda t: len(count(t)))
    assert len(count(out)) <= size - size // 2 + 16
    assert all(f"Which gym near Harrow Road {i} opens early?" in out for i in range(12))
    assert "<ORIGINAL MESSAGE> Hi <END OF ORIGINAL MESSAGE>" in out
