"""Requests the proxy forwards uncompressed: under the trigger byte for byte, with compression
disabled for an agent, and when nothing can shrink (not reported as compressed).
"""

from __future__ import annotations

from typing import Any

import aiohttp
import orjson
import pytest

from tests.fakes.strict import OpenAIChatFake, tool_loop
from tests.integration.livekit import WINDOW, settings_for, tool_output


async def test_under_trigger_forwarded_byte_for_byte(
    make_proxy: Any, tmp_path: Any, massgen_bodies: list[bytes]
) -> None:
    async with OpenAIChatFake(window=1_000_000) as fake:
        proxy = await make_proxy(
            settings_for(
                {"fake": {"base_url": fake.base_url, "api": "openai", "api_key_env": None}},
                tmp_path,
                window=1_000_000,
            )
        )
        async with aiohttp.ClientSession() as s:
            for raw in massgen_bodies:
                body = orjson.loads(raw)
                body["model"] = "small-model"
                data = orjson.dumps(body)
                async with s.post(f"{proxy.url}/fake/chat/completions", data=data) as r:
                    assert r.status == 200
                    assert r.headers["x-ctxproxy-compressed"] == "0"
                    await r.read()
                assert fake.requests[-1].raw == data


@pytest.mark.parametrize("enabled", [False])
async def test_compression_disabled_per_agent(make_proxy: Any, tmp_path: Any, enabled: bool) -> None:
    async with OpenAIChatFake(window=WINDOW * 4, script=tool_loop(0, "x", final="ok")) as fake:
        proxy = await make_proxy(
            settings_for(
                {"fake": {"base_url": fake.base_url, "api": "openai", "api_key_env": None}},
                tmp_path,
                compression={"agents": {"raw-agent": {"enabled": enabled}}},
            )
        )
        messages = [{"role": "user", "content": tool_output(i, 20)} for i in range(12)]
        body = orjson.dumps({"model": "small-model", "messages": messages})
        async with aiohttp.ClientSession() as s:
            async with s.post(f"{proxy.url}/agent/raw-agent/fake/chat/completions", data=body) as r:
                assert r.headers["x-ctxproxy-compressed"] == "0"
                assert r.headers["x-ctxproxy-strategy"] == "off"
            async with s.post(f"{proxy.url}/agent/other/fake/chat/completions", data=body) as r:
                assert r.headers["x-ctxproxy-compressed"] == "1"


async def test_nothing_to_shrink_is_not_reported_as_compressed(make_proxy: Any, tmp_path: Any) -> None:
    async with OpenAIChatFake(window=1_000_000, script=tool_loop(0, "x", final="ok")) as fake:
        proxy = await make_proxy(
            settings_for(
                {"fake": {"base_url": fake.base_url, "api": "openai", "api_key_env": None}},
                tmp_path,
                window=4_000,
            )
        )
        body = orjson.dumps(
            {
                "model": "small-model",
                "messages": [
                    {"role": "system", "content": tool_output(1, 40)},
                    {"role": "user", "content": "hi"},
                ],
            }
        )
        async with aiohttp.ClientSession() as s:
            async with s.post(f"{proxy.url}/fake/chat/completions", data=body) as r:
                assert r.status == 200
                assert r.headers["x-ctxproxy-compressed"] == "0"
        assert fake.requests[-1].raw == body  # the original bytes went out
