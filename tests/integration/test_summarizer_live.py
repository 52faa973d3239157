"""LLM summaries on live traffic: mode upstream (the request's own upstream) and mode llm (LiteLLM)."""

from __future__ import annotations

from typing import Any

import aiohttp
import openai
import pytest

from proxy.compress.llm_summarizer import SECTIONS
from tests.fakes.strict import Fail, FakeRequest, OpenAIChatFake, Reply, ToolCall
from tests.integration.conftest import Running
from tests.integration.livekit import TOOLS_OAI, WINDOW, settings_for, tool_output

SUMMARY_BODY = "\n".join(f"## {s}\n- LLM-SUMMARY-MARKER {s}" for s in SECTIONS)


def agent_or_summarizer(request: FakeRequest) -> Reply:
    if "running summary" in request.text and not request.tool_names:
        return Reply(text=SUMMARY_BODY)
    return Reply(tool_calls=(ToolCall("read_file", {"path": "src/x.py"}),))


async def _session(proxy: Running, prefix: str, turns: int) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = [{"role": "user", "content": "Audit src/pkg and list request ids."}]
    async with openai.AsyncOpenAI(
        base_url=f"{proxy.url}{prefix}", api_key="sk-client", max_retries=0
    ) as client:
        for turn in range(turns):
            c = await client.chat.completions.create(
                model="small-model", messages=messages, tools=TOOLS_OAI, max_tokens=256
            )  # type: ignore[arg-type]
            msg = c.choices[0].message.model_dump(exclude_none=True)
            messages.append(msg)
            for tc in msg["tool_calls"]:
                messages.append({"role": "tool", "tool_call_id": tc["id"], "content": tool_output(turn, 25)})
    return messages


async def _json(proxy: Running, path: str) -> Any:
    async with aiohttp.ClientSession() as s, s.get(proxy.url + path) as r:
        return await (r.json() if path != "/metrics" else r.text())


async def test_upstream_mode_uses_request_credentials_and_cheaper_model(
    make_proxy: Any, tmp_path: Any
) -> None:
    async with OpenAIChatFake(window=WINDOW, script=agent_or_summarizer) as fake:
        proxy = await make_proxy(
            settings_for(
                {
                    "fake": {
                        "base_url": fake.base_url,
                        "api": "openai",
                        "api_key_env": None,
                        "summary_model": "cheap-summarizer",
                    }
                },
                tmp_path,
                compression={"summarizer": {"mode": "upstream"}},
            )
        )
        await _session(proxy, "/agent/a1/fake", 25)
        summary_calls = [r for r in fake.requests if r.body.get("model") == "cheap-summarizer"]
        assert summary_calls, "no summary request reached the upstream"
        assert all(r.headers.get("Authorization") == "Bearer sk-client" for r in summary_calls)
        agent_calls = [r for r in fake.requests if r.body.get("model") == "small-model"]
        assert any("LLM-SUMMARY-MARKER" in str(r.body["messages"]) for r in agent_calls)
        assert fake.invalid == [] and fake.overflows == []
        stats = await _json(proxy, "/stats")
        assert stats["agents"]["a1"]["summary_tokens"] > 0
        metrics = await _json(proxy, "/metrics")
        assert 'ctxproxy_summaries_total{mode="upstream",outcome="ok"}' in metrics
        assert 'ctxproxy_summary_tokens_total{direction="output",mode="upstream"}' in metrics


async def test_llm_mode_through_litellm(
    make_proxy: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUMMARY_KEY", "sk-summarizer")
    async with OpenAIChatFake(window=WINDOW, script=agent_or_summarizer) as fake:
        proxy = await make_proxy(
            settings_for(
                {"fake": {"base_url": fake.base_url, "api": "openai", "api_key_env": None}},
                tmp_path,
                compression={
                    "summarizer": {
                        "mode": "llm",
                        "model": "openai/litellm-summarizer",
                        "api_base": fake.base_url,
                        "api_key_env": "SUMMARY_KEY",
                        "timeout_s": 20,
                    }
                },
            )
        )
        await _session(proxy, "/fake", 25)
        summary_calls = [r for r in fake.requests if r.body.get("model") == "litellm-summarizer"]
        assert summary_calls
        assert summary_calls[0].headers.get("Authorization") == "Bearer sk-summarizer"
        assert any(
            "LLM-SUMMARY-MARKER" in str(r.body["messages"])
            for r in fake.requests
            if r.body.get("model") == "small-model"
        )
        assert fake.invalid == []


async def test_summarizer_failure_falls_back_and_traffic_continues(make_proxy: Any, tmp_path: Any) -> None:
    """The summary model is down (500): extractive summaries, no client error, breaker opens."""

    def broken_summaries(request: FakeRequest) -> Reply | Fail:
        if "running summary" in request.text and not request.tool_names:
            return Fail(500, {"error": {"message": "summary model down", "type": "server_error"}})
        return agent_or_summarizer(request)

    async with OpenAIChatFake(window=WINDOW, script=broken_summaries) as fake:
        proxy = await make_proxy(
            settings_for(
                {"fake": {"base_url": fake.base_url, "api": "openai", "api_key_env": None}},
                tmp_path,
                compression={"summarizer": {"mode": "upstream", "failure_threshold": 1}},
            )
        )
        messages = await _session(proxy, "/fake", 25)
        assert len(messages) > 20
        assert fake.invalid == [] and fake.overflows == []
        assert any("summary of earlier conversation" in str(r.body["messages"]) for r in fake.ok), [
            str(r.body["messages"][1])[:300] for r in fake.ok[-3:]
        ]
        metrics = await _json(proxy, "/metrics")
        assert 'outcome="error"' in metrics
        # the breaker itself is covered in tests/unit/test_llm_summarizer.py
