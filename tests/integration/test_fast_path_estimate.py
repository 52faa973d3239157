"""The fast path's estimate runs after the send and never holds the answer back.

A request certainly under its trigger goes upstream before its shape check, token estimate and
stats. They start a moment after the send (``SETTLE_AFTER_S``): against a provider that takes
its time they are done before its answer, and the token headers go out with it; an answer that
comes first is relayed at once, without them, and the estimate runs right after it, so the
``request.completed`` line and ``/stats`` have it either way. An overflow retry of such a
request runs the check first (the body was sent unchecked): see
``test_live_overflow_retry.test_overflow_retry_when_real_window_is_smaller[fast-path]``.
"""

from __future__ import annotations

from typing import Any

import orjson
import pytest

import proxy.server.fast_path as fast_path
from tests.integration.conftest import Running, SdkClients, fetch_stats

HI = [{"role": "user", "content": "hi"}]


def _completed(captured_logs: Any) -> list[dict[str, Any]]:
    events = [orjson.loads(line) for line in captured_logs.getvalue().splitlines()]
    return [e for e in events if e["event"] == "request.completed"]


async def test_an_answer_that_takes_its_time_carries_the_token_headers(
    sdk: SdkClients, proxy: Running, captured_logs: Any
) -> None:
    client = sdk.openai(proxy.url + "/openai", api_key="dummy")
    raw = await client.chat.completions.with_raw_response.create(
        model="gpt-4o-mini", messages=HI, extra_headers={"x-fake-answer-after-ms": "300"}
    )  # type: ignore[arg-type]
    assert raw.headers["x-ctxproxy-compressed"] == "0"
    before = int(raw.headers["x-ctxproxy-tokens-before"])
    assert 0 < before == int(raw.headers["x-ctxproxy-tokens-after"]) < 50
    line = _completed(captured_logs)[-1]
    assert line["tokens_before"] == line["tokens_after"] == before


async def test_an_answer_before_the_estimate_is_relayed_without_waiting_for_it(
    sdk: SdkClients, proxy: Running, captured_logs: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The estimate would start an hour after the send: the answer cannot have waited for it."""
    monkeypatch.setattr(fast_path, "SETTLE_AFTER_S", 3600.0)
    client = sdk.openai(proxy.url + "/openai", api_key="dummy")
    for stream in (False, True):
        raw = await client.chat.completions.with_raw_response.create(
            model="gpt-4o-mini", messages=HI, stream=stream
        )  # type: ignore[arg-type]
        if stream:
            async for _ in raw.parse():  # type: ignore[union-attr]
                pass
        else:
            assert raw.parse().choices[0].message.content == "Hello from fake"  # type: ignore[union-attr]
        assert raw.headers["x-ctxproxy-compressed"] == "0"
        assert raw.headers["x-ctxproxy-strategy"] == "balanced"
        assert "x-ctxproxy-tokens-before" not in raw.headers
        assert "x-ctxproxy-tokens-after" not in raw.headers
    lines = _completed(captured_logs)[-2:]
    assert [line["status"] for line in lines] == [200, 200]
    assert all(0 < line["tokens_before"] == line["tokens_after"] < 50 for line in lines)
    stats = await fetch_stats(proxy)
    assert stats["models"]["gpt-4o-mini"]["requests"] == 2, stats  # counted after the answer


async def test_a_conversation_sent_from_its_bytes_is_parsed_counted_and_named_after_the_send(
    sdk: SdkClients, proxy: Running, captured_logs: Any
) -> None:
    """A long history certainly under its trigger goes out unparsed (its fields read from the
    bytes); the next turn reads only its new part. The agent that only the body names (the
    prompt fingerprint), the estimate and the stats are all there once the answer went out."""
    from proxy.appkeys import CHAT_HOOKS

    fast = proxy.app[CHAT_HOOKS].fast
    client = sdk.openai(proxy.url + "/openai", api_key="dummy")
    history: list[dict[str, Any]] = [{"role": "system", "content": "You review diffs. " * 50}]
    history += [{"role": "user", "content": f"file {i}: " + "line of code\n" * 300} for i in range(12)]
    assert len(orjson.dumps(history)) > 32 * 1024
    for turn in range(3):
        history.append({"role": "user", "content": f"and turn {turn}?"})
        raw = await client.chat.completions.with_raw_response.create(
            model="gpt-4o-mini", messages=history, extra_headers={"x-fake-answer-after-ms": "100"}
        )  # type: ignore[arg-type]
        assert raw.headers["x-ctxproxy-compressed"] == "0"
        assert int(raw.headers["x-ctxproxy-tokens-before"]) > 5000
        history.append({"role": "assistant", "content": raw.parse().choices[0].message.content})  # type: ignore[union-attr]
        assert len(fast.prefixes) == 1  # the first body's prefix, recorded after its send
    lines = _completed(captured_logs)[-3:]
    agents = {line["agent"] for line in lines}
    assert len(agents) == 1 and agents.pop().startswith("anon-")
    assert all(line["tokens_before"] > 5000 for line in lines)
    stats = await fetch_stats(proxy)
    assert stats["models"]["gpt-4o-mini"]["requests"] == 3, stats
    assert [v["requests"] for k, v in stats["agents"].items() if k.startswith("anon-")] == [3], stats


async def test_a_body_that_is_not_json_still_gets_the_proxys_400(proxy: Running) -> None:
    import aiohttp

    for body in (b'{"model": "gpt-4o-mini", "messages": [', b"[1, 2]", b"\xff\xfe"):
        async with (
            aiohttp.ClientSession() as s,
            s.post(
                f"{proxy.url}/openai/chat/completions",
                data=body,
                headers={"Content-Type": "application/json"},
            ) as r,
        ):
            assert r.status == 400 and r.headers["x-ctxproxy-error"] == "invalid_json"
