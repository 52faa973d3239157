"""One typed outcome per exchange: the ``x-ctxproxy-*`` headers and the ``request.completed``
log line both come from it (the log carries typed values, not header strings)."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

import proxy.server.fast_path as fast_path
from tests.fakes.strict import OpenAIChatFake
from tests.integration.conftest import SdkClients
from tests.integration.livekit import TOOLS_OAI, WINDOW, settings_for, tool_history


async def test_log_line_and_headers_come_from_the_same_outcome(
    make_proxy: Any, tmp_path: Any, captured_logs: Any, sdk: SdkClients, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fast_path, "SETTLE_AFTER_S", 3600.0)  # the answer always comes first
    async with OpenAIChatFake(window=WINDOW) as fake:
        proxy = await make_proxy(
            settings_for(
                {"fake": {"base_url": fake.base_url, "api": "openai", "api_key_env": None}}, tmp_path
            )
        )
        client = sdk.openai(f"{proxy.url}/fake", api_key="sk-x")
        heads = []
        for messages in (
            [{"role": "user", "content": "hi"}],  # certainly under the trigger: skipped, estimated
            tool_history(30, lines=25),  # over it: compacted
        ):
            raw = await client.chat.completions.with_raw_response.create(
                model="small-model", messages=messages, tools=TOOLS_OAI, max_tokens=256
            )  # type: ignore[arg-type]
            heads.append(
                {k.lower(): v for k, v in raw.headers.items() if k.lower().startswith("x-ctxproxy-")}
            )
        events = [orjson.loads(line) for line in captured_logs.getvalue().splitlines()]
        done = [e for e in events if e["event"] == "request.completed"][-2:]

    skipped, compacted = heads
    assert skipped["x-ctxproxy-compressed"] == "0" and compacted["x-ctxproxy-compressed"] == "1"
    assert skipped["x-ctxproxy-strategy"] == compacted["x-ctxproxy-strategy"] == "balanced"
    assert skipped["x-ctxproxy-context-window"] == str(WINDOW)
    # The fast path answered before its estimate started: no token headers, the log line has it.
    assert "x-ctxproxy-tokens-before" not in skipped and "x-ctxproxy-tokens-after" not in skipped
    assert 0 < done[0]["tokens_before"] == done[0]["tokens_after"]
    assert "x-ctxproxy-stages" not in skipped and compacted["x-ctxproxy-stages"]
    for head, line in zip(heads, done, strict=True):
        assert line["compressed"] is (head["x-ctxproxy-compressed"] == "1")
    assert done[1]["tokens_before"] == int(compacted["x-ctxproxy-tokens-before"])
    assert done[1]["tokens_after"] == int(compacted["x-ctxproxy-tokens-after"])
    assert done[1]["tokens_after"] < done[1]["tokens_before"]
