"""An upstream's overflow error through the proxy: a smaller real window is learned and the
request retried once (compressed, or with a lower ``max_tokens``), the learned window does not
collapse the budget, and the real error passes through when nothing can shrink.

The fakes enforce the window with the provider's real overflow error and reject invalid tool
pairing like the real provider; the client is the real SDK.
"""

from __future__ import annotations

from typing import Any

import aiohttp
import openai
import pytest

import proxy.server.fast_path as fast_path
from tests.fakes.strict import AnthropicFake, OpenAIChatFake, tool_loop
from tests.integration.conftest import SdkClients
from tests.integration.livekit import TOOLS_OAI, WINDOW, _parsed, settings_for, tool_history, tool_output


@pytest.mark.parametrize("catalog_window", [64_000, 1_000_000], ids=["near-the-trigger", "fast-path"])
async def test_overflow_retry_when_real_window_is_smaller(
    sdk: SdkClients, make_proxy: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch, catalog_window: int
) -> None:
    """The catalog says 64k (or 1M: its bytes are certainly under the trigger, the fast path);
    the upstream really has 12k: the proxy learns it and retries once. On the fast path the
    check and estimate have not started yet (their timer is an hour): the retry runs them itself."""
    monkeypatch.setattr(fast_path, "SETTLE_AFTER_S", 3600.0)
    async with OpenAIChatFake(window=WINDOW, script=tool_loop(10_000, "read_file")) as fake:
        proxy = await make_proxy(
            settings_for(
                {"fake": {"base_url": fake.base_url, "api": "openai", "api_key_env": None}},
                tmp_path,
                window=catalog_window,
            )
        )
        client = sdk.openai(f"{proxy.url}/fake", api_key="k")
        messages = tool_history(8)
        raw = await client.chat.completions.with_raw_response.create(
            model="small-model", messages=messages, tools=TOOLS_OAI, max_tokens=256
        )  # type: ignore[arg-type]
        assert raw.headers["x-ctxproxy-retried"] == "context"
        assert raw.headers["x-ctxproxy-compressed"] == "1"
        assert raw.headers["x-ctxproxy-context-window"] == str(WINDOW)
        assert [r.outcome for r in fake.requests] == ["overflow", "ok"]
        assert fake.requests[0].raw != fake.requests[1].raw
        # learned: the next request is compressed up front, no second overflow
        raw2 = await client.chat.completions.with_raw_response.create(
            model="small-model", messages=messages, tools=TOOLS_OAI, max_tokens=256
        )  # type: ignore[arg-type]
        assert "x-ctxproxy-retried" not in raw2.headers
        assert raw2.headers["x-ctxproxy-context-window"] == str(WINDOW)
        assert fake.requests[-1].outcome == "ok" and len(fake.requests) == 3
        async with aiohttp.ClientSession() as s, s.get(f"{proxy.url}/metrics") as r:
            text = await r.text()
        assert 'ctxproxy_overflow_retries_total{kind="context",upstream="fake"} 1.0' in text


async def test_anthropic_max_tokens_overflow_lowers_max_tokens(
    sdk: SdkClients, make_proxy: Any, tmp_path: Any
) -> None:
    async with AnthropicFake(window=WINDOW, script=tool_loop(0, "x", final="fine")) as fake:
        proxy = await make_proxy(
            settings_for(
                {"fake": {"base_url": fake.base_url, "api": "anthropic", "api_key_env": None}},
                tmp_path,
                window=200_000,
            )
        )
        client = sdk.anthropic(f"{proxy.url}/fake", api_key="k")
        raw = await client.messages.with_raw_response.create(
            model="small-model", max_tokens=11_800, messages=[{"role": "user", "content": tool_output(1, 20)}]
        )
        assert [r.outcome for r in fake.requests] == ["overflow", "ok"], [
            (r.outcome, r.error) for r in fake.requests
        ]
        assert raw.headers["x-ctxproxy-retried"] == "max_tokens"
        sent = fake.requests[-1].body
        assert sent["max_tokens"] < 11_800 and sent["messages"] == fake.requests[0].body["messages"]
        assert (await _parsed(raw)).content[0].text == "fine"


async def test_overflow_error_passes_through_when_nothing_can_shrink(
    sdk: SdkClients, make_proxy: Any, tmp_path: Any
) -> None:
    """A single user message larger than the real window: one retry at most, then the real error."""
    async with OpenAIChatFake(window=2_000, script=tool_loop(0, "x", final="fine")) as fake:
        proxy = await make_proxy(
            settings_for(
                {"fake": {"base_url": fake.base_url, "api": "openai", "api_key_env": None}},
                tmp_path,
                window=64_000,
            )
        )
        client = sdk.openai(f"{proxy.url}/fake", api_key="k")
        try:
            await client.chat.completions.create(
                model="small-model", messages=[{"role": "user", "content": tool_output(2, 80)}]
            )
        except openai.BadRequestError as err:
            assert err.code == "context_length_exceeded"
        assert len(fake.requests) <= 2
        if len(fake.requests) == 2:
            assert fake.requests[0].raw != fake.requests[1].raw


async def test_learned_window_does_not_collapse_the_budget(
    sdk: SdkClients, make_proxy: Any, tmp_path: Any
) -> None:
    """No max_tokens in the request and a catalog max output larger than the learned window:
    the output reserve is capped, so the retry drains to a sensible size, not to window/8."""
    async with OpenAIChatFake(window=WINDOW, script=tool_loop(10_000, "read_file")) as fake:
        proxy = await make_proxy(
            settings_for(
                {"fake": {"base_url": fake.base_url, "api": "openai", "api_key_env": None}},
                tmp_path,
                window=128_000,
                max_output=16_384,
            )
        )
        client = sdk.openai(f"{proxy.url}/fake", api_key="k")
        messages = tool_history(6)
        raw = await client.chat.completions.with_raw_response.create(
            model="small-model", messages=messages, tools=TOOLS_OAI
        )  # type: ignore[arg-type]
        assert raw.headers["x-ctxproxy-retried"] == "context"
        after = int(raw.headers["x-ctxproxy-tokens-after"])
        assert after > WINDOW // 4, after  # window/8 would have been ~1.5k tokens
        assert [r.outcome for r in fake.requests] == ["overflow", "ok"]
