"""The fast path's estimate runs after the send and never holds the answer back.

A request certainly under its trigger goes upstream before its shape check, token estimate and
stats. They start a moment after the send (``SETTLE_AFTER_S``): against a provider that takes
its time they are done before its answer, and the token headers go out with it; an answer that
comes first is relayed at once, without them, and the estimate runs right after it, so the
``request.completed`` line and ``/stats`` have it either way. An overflow retry of such a
request runs the check first (the body was sent unchecked): see
``test_live_compression.test_overflow_retry_when_real_window_is_smaller[fast-path]``.
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
