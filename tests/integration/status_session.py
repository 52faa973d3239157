"""A scripted multi-agent session through the proxy, for the status page tests: two agents on
two models, each a tool loop that resends its growing history (so compression, prefix replay
and the fake's prompt cache all happen), plus a few requests the proxy rejects."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import openai

from proxy.config import Settings, load_settings
from tests.integration.livekit import TOOLS_OAI, tool_output

WINDOW = 12_000
MODELS = {"coder": "small-model", "critic": "small-model-b"}
PRICE = 0.000002  # USD per input token (catalog override): money saved is tokens saved × this


def status_settings(fake_base: str, tmp_path: Any, bucket_s: float = 1.0, **extra: Any) -> Settings:
    overrides: dict[str, Any] = {
        "upstreams": {"fake": {"base_url": fake_base, "api": "openai", "api_key_env": None}},
        "default_upstream": "fake",
        "catalog": {
            "cache_dir": str(tmp_path / "cache"),
            "refresh_on_start": False,
            "sources": ["litellm"],
            "overrides": {
                m: {"context_window": WINDOW, "max_output_tokens": 512, "input_cost_per_token": PRICE}
                for m in MODELS.values()
            },
        },
        "status": {"bucket_s": bucket_s, "window_buckets": 30},
    }
    overrides.update(extra)
    return load_settings(environ={}, overrides=overrides)


async def agent_session(
    proxy_url: str, agent: str, turns: int, pause_s: float, headers: dict[str, str], lines: int = 60
) -> int:
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": f"You are the {agent}. Use read_file."},
        {"role": "user", "content": "Audit every module under src/pkg and report the request ids."},
    ]
    async with openai.AsyncOpenAI(
        base_url=f"{proxy_url}/agent/{agent}/fake", api_key="k", max_retries=0, default_headers=headers
    ) as client:
        for turn in range(turns):
            resp = await client.chat.completions.create(
                model=MODELS[agent],
                messages=messages,  # type: ignore[arg-type]
                tools=TOOLS_OAI,  # type: ignore[arg-type]
                max_tokens=256,
            )
            msg = resp.choices[0].message
            messages.append(msg.model_dump(exclude_none=True))
            for tc in msg.tool_calls or []:
                messages.append({"role": "tool", "tool_call_id": tc.id, "content": tool_output(turn, lines)})
            await asyncio.sleep(pause_s)
    return turns


async def run_session(
    proxy_url: str, turns: int = 14, pause_s: float = 0.15, headers: dict[str, str] | None = None
) -> dict[str, int]:
    """Both agents concurrently (the critic reads shorter files, less often), then two malformed
    requests: the chat requests each agent sent."""
    coder, critic = await asyncio.gather(
        agent_session(proxy_url, "coder", turns, pause_s, headers or {}),
        agent_session(proxy_url, "critic", turns * 3 // 4, pause_s * 4 / 3, headers or {}, lines=45),
    )
    async with aiohttp.ClientSession(headers=headers) as s:
        for _ in range(2):
            async with s.post(f"{proxy_url}/fake/chat/completions", data=b"{not json") as r:
                assert r.status == 400
    return {"coder": coder, "critic": critic}
