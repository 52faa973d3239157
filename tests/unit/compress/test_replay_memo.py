"""The replay memo answers a compacted conversation's next turn exactly as the full replay does."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from proxy.compress import Compactor, Limits, TokenCounter
from proxy.compress.result import CompactionResult
from proxy.config import load_settings
from proxy.storage import MemoryKV
from tests.unit.compress.convgen import RENDER, Turn, filler, to_anthropic, to_chat, to_responses
from tests.unit.compress.test_session import session_steps

COUNTER = TokenCounter()
SETTINGS = load_settings(environ={}).compression
WINDOW = 24_000
CONTAINER = {"openai-responses": "input", "gemini": "contents"}


def same(a: CompactionResult, b: CompactionResult) -> bool:
    """Byte for byte the same request, the same counts and the same conversation thread."""
    return orjson.dumps(a.body) == orjson.dumps(b.body) and (
        a.compressed,
        a.reused_prefix,
        a.tokens_before,
        a.tokens_after,
        a.thread,
        a.note,
    ) == (b.compressed, b.reused_prefix, b.tokens_before, b.tokens_after, b.thread, b.note)


async def full_replay(compactor: Compactor, body: dict[str, Any], api: str) -> CompactionResult:
    """The same request through a compactor with the same stored states and no memo."""
    fresh = Compactor(SETTINGS, kv=compactor.store.kv, counter=COUNTER)
    return await fresh.compress(body, api, body["model"], Limits(WINDOW, None, None))


def anthropic_uncached(script: list[Turn]) -> dict[str, Any]:
    return to_anthropic(script, cache=False)  # the proxy places the cache breakpoints


RENDERINGS = {**RENDER, "anthropic-breakpoints": anthropic_uncached}


@pytest.mark.parametrize("rendering", sorted(RENDERINGS))
async def test_memo_turns_equal_full_replays(rendering: str) -> None:
    api = "anthropic" if rendering.startswith("anthropic") else rendering
    compactor = Compactor(SETTINGS, kv=MemoryKV(), counter=COUNTER)
    steps = session_steps(90)
    replays = 0
    for turn in range(1, len(steps) + 1):
        body = RENDERINGS[rendering]([t for step in steps[:turn] for t in step])
        result = await compactor.compress(body, api, body["model"], Limits(WINDOW, None, None))
        if result.reused_prefix:
            replays += 1
            assert same(result, await full_replay(compactor, body, api)), turn
    assert replays >= 40
    if api == "gemini":  # its items do not parse one by one: always the full way
        assert compactor.replays.hits == 0
    else:
        assert compactor.replays.hits >= replays - 8, (compactor.replays.hits, replays)


async def compacted(script: list[Turn]) -> tuple[Compactor, list[Turn]]:
    """A compactor that compacted ``script`` and replayed it once (the memo is recorded)."""
    compactor = Compactor(SETTINGS, kv=MemoryKV(), counter=COUNTER)
    for extra in ([], [("assistant", "Looked at it."), ("user", "Go on.")]):
        script = [*script, *extra]
        body = to_chat(script)
        await compactor.compress(body, "openai-chat", "gpt-4o", Limits(WINDOW, None, None))
    assert len(compactor.replays) == 1
    return compactor, script


def long_script(task: str = "Port the scheduler to the new queue; keep job ids stable.") -> list[Turn]:
    script: list[Turn] = [("user", task)]
    for i in range(60):
        script.append(("tools", [("read_file", f'{{"path": "src/q/m{i}.py"}}', filler(i, 300))], None))
    return script


async def test_an_edited_history_takes_the_full_way() -> None:
    compactor, script = await compacted(long_script())
    hits = compactor.replays.hits
    name, args, _ = script[30][1][0]
    script[30] = ("tools", [(name, args, "This output was rewritten by the client.")], None)
    body = to_chat([*script, ("assistant", "Done."), ("user", "Next.")])
    result = await compactor.compress(body, "openai-chat", "gpt-4o", Limits(WINDOW, None, None))
    assert compactor.replays.hits == hits
    assert "This output was rewritten by the client." in orjson.dumps(result.body or body).decode()


async def test_a_result_answering_an_earlier_call_takes_the_full_way() -> None:
    compactor, script = await compacted(long_script())
    body = to_chat([*script, ("assistant", "Checking once more.")])
    msgs = body["messages"]
    earlier = next(m for m in msgs if m.get("tool_calls"))["tool_calls"][0]["id"]
    msgs.append({"role": "tool", "tool_call_id": earlier, "content": "late answer"})
    hits = compactor.replays.hits
    result = await compactor.compress(body, "openai-chat", "gpt-4o", Limits(WINDOW, None, None))
    assert compactor.replays.hits == hits
    assert same(result, await full_replay(compactor, body, "openai-chat"))


async def test_look_alike_conversations_never_share_a_memo() -> None:
    """Two conversations with the same first items, interleaved: each gets its own replay."""
    compactor = Compactor(SETTINGS, kv=MemoryKV(), counter=COUNTER)
    first, second = long_script(), long_script()
    second[40] = ("tools", [("read_file", '{"path": "other.py"}', filler(999, 300))], None)
    for k in range(6):
        for script in (first, second):
            script += [("assistant", f"Step {k}."), ("user", f"Continue {k}.")]
            body = to_chat(script)
            result = await compactor.compress(body, "openai-chat", "gpt-4o", Limits(WINDOW, None, None))
            if result.reused_prefix:
                assert same(result, await full_replay(compactor, body, "openai-chat"))
            sent = orjson.dumps(result.body or body).decode()
            assert ("other.py" in sent) == (script is second) or "other.py" not in sent


async def test_the_memo_is_bounded_by_bytes() -> None:
    compactor = Compactor(SETTINGS, kv=MemoryKV(), counter=COUNTER)
    compactor.replays = type(compactor.replays)(
        compactor.counter, compactor.store, compactor.breakpoints, max_bytes=60_000
    )
    for c in range(8):
        script = long_script(f"Conversation {c}: port the scheduler to the new queue.")
        for extra in ([], [("assistant", "ok"), ("user", "more")]):
            script = [*script, *extra]
            body = to_chat(script)
            await compactor.compress(body, "openai-chat", "gpt-4o", Limits(WINDOW, None, None))
    assert 1 <= len(compactor.replays) < 8
    assert compactor.replays._sent.currsize <= 60_000


async def test_a_chained_request_is_never_replayed_from_the_memo() -> None:
    """A Responses request naming ``previous_response_id`` has its history upstream: sent as is."""
    compactor = Compactor(SETTINGS, kv=MemoryKV(), counter=COUNTER)
    script = long_script()
    for extra in ([], [("assistant", "Looked at it."), ("user", "Go on.")]):
        script = [*script, *extra]
        body = to_responses(script)
        await compactor.compress(body, "openai-responses", body["model"], Limits(WINDOW, None, None))
    assert len(compactor.replays) == 1
    body = {**to_responses(script), "previous_response_id": "resp_1"}
    result = await compactor.compress(body, "openai-responses", body["model"], Limits(WINDOW, None, None))
    assert not result.compressed and result.note is not None and "previous_response_id" in result.note
