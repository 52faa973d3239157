"""The cost model on live traffic: Anthropic breakpoints on compressed requests, money saved in
/stats from the catalog's price, "price unknown" without one."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from tests.fakes.strict import AnthropicFake, tool_loop
from tests.fakes.strict_anthropic import cache_markers
from tests.integration.conftest import SdkClients
from tests.integration.livekit import WINDOW, _parsed, answer_tools, settings_for, tool_output

TOOLS = [
    {
        "name": "read_file",
        "description": "Read a file",
        "input_schema": {"type": "object", "properties": {"path": {"type": "string"}}},
    }
]


async def _session(sdk: SdkClients, make_proxy: Any, tmp_path: Any, model: str, **compression: Any) -> Any:
    fake = AnthropicFake(window=WINDOW, script=tool_loop(10_000, "read_file"))
    await fake.start()
    prices = {"input_cost_per_token": 3e-6} if model.startswith("claude") else {}
    overrides = {model: {"context_window": WINDOW, "max_output_tokens": 512, **prices}}
    settings = settings_for(
        {"fake": {"base_url": fake.base_url, "api": "anthropic", "api_key_env": None}},
        tmp_path,
        compression=compression,
        catalog={
            "cache_dir": str(tmp_path / "cache"),
            "refresh_on_start": False,
            "sources": ["litellm"],
            "overrides": overrides,
        },
    )
    proxy = await make_proxy(settings)
    client = sdk.anthropic(f"{proxy.url}/fake", api_key="k")
    messages: list[dict[str, Any]] = [{"role": "user", "content": "Audit every module under src/pkg."}]
    compressed: list[int] = []
    for turn in range(24):
        raw = await client.messages.with_raw_response.create(
            model=model,
            max_tokens=256,
            system="You are a coding agent.",
            tools=TOOLS,
            messages=messages,  # type: ignore[arg-type]
        )
        if raw.headers["x-ctxproxy-compressed"] == "1":
            compressed.append(len(fake.requests) - 1)
        answer_tools(messages, await _parsed(raw), tool_output(turn))
    async with aiohttp.ClientSession() as s, s.get(f"{proxy.url}/stats") as r:
        stats = await r.json()
    await fake.close()
    return fake, compressed, stats["models"][model]


@pytest.mark.parametrize("breakpoints", [True, False])
async def test_compressed_anthropic_requests_carry_breakpoints_and_save_money(
    sdk: SdkClients, make_proxy: Any, tmp_path: Any, breakpoints: bool
) -> None:
    fake, compressed, stats = await _session(
        sdk, make_proxy, tmp_path, "claude-bench", cache_breakpoints=breakpoints
    )
    assert fake.invalid == [], [r.error for r in fake.invalid]
    assert len(compressed) >= 10
    for i in compressed:
        body = fake.requests[i].body
        assert cache_markers(body) == (2 if breakpoints else 0)
        if breakpoints:
            assert "cache_control" in body["messages"][0]["content"][-1]  # after the compacted prefix
            assert "cache_control" in body["messages"][-1]["content"][-1]  # on the last message
    assert stats["money_saved_known"] is True
    assert stats["money_saved_usd"] == pytest.approx(
        stats["cost_without_usd"] - stats["cost_with_usd"], abs=1e-6
    )
    if breakpoints:  # the client set none: without the proxy's breakpoints nothing would be cached
        assert stats["money_saved_usd"] > 0


async def test_money_saved_without_a_price_reads_unknown(
    sdk: SdkClients, make_proxy: Any, tmp_path: Any
) -> None:
    _, compressed, stats = await _session(sdk, make_proxy, tmp_path, "unpriced-model")
    assert compressed and stats["money_saved_known"] is False and stats["unpriced_requests"] > 0
