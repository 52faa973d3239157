"""More live paths: Responses chains (previous_response_id), Gemini native, spans shared by agents."""

from __future__ import annotations

from typing import Any

import aiohttp
import orjson

from proxy.compress import Compactor, Limits, TokenCounter
from proxy.compress.llm_summarizer import LLMSummarizer
from proxy.config import SummarizerSettings, load_settings
from proxy.storage import MemoryKV
from tests.fakes.strict import GeminiFake, OpenAIResponsesFake, tool_loop
from tests.integration.livekit import (
    WINDOW,
    responses_chain,
    settings_for,
    tool_history,
    tool_output,
)
from tests.unit.test_llm_summarizer import FakeBackend


async def test_responses_chain_gets_native_compaction_near_the_limit(make_proxy: Any, tmp_path: Any) -> None:
    """A tool loop continued with previous_response_id: the history is the provider's. The proxy
    tracks each response's size from usage and, near the trigger, asks for native compaction."""
    async with OpenAIResponsesFake(window=WINDOW, script=tool_loop(10_000, "read_file")) as fake:
        proxy = await make_proxy(
            settings_for(
                {
                    "fake": {
                        "base_url": fake.base_url,
                        "api": "openai",
                        "api_key_env": None,
                        "responses_compaction": "context_management",
                    }
                },
                tmp_path,
            )
        )
        native, inputs = await responses_chain([f"{proxy.url}/fake"], 12)
        assert fake.invalid == [] and fake.overflows == []
        assert native[0] is None and "context_management" in native
        first = native.index("context_management")
        sent = fake.requests[first].body
        assert sent["context_management"][0]["type"] == "compaction"
        assert 0 < sent["context_management"][0]["compact_threshold"] < WINDOW
        assert sent["input"] == inputs[first]  # the items themselves go out untouched
        async with aiohttp.ClientSession() as s, s.get(f"{proxy.url}/metrics") as r:
            assert (
                'ctxproxy_native_compactions_total{mode="context_management",upstream="fake"}'
                in await r.text()
            )


async def test_gemini_native_long_function_calling_session(make_proxy: Any, tmp_path: Any) -> None:
    async with GeminiFake(window=WINDOW, script=tool_loop(10_000, "read_file")) as fake:
        proxy = await make_proxy(
            settings_for(
                {"google": {"base_url": fake.base_url, "api": "gemini", "api_key_env": None}}, tmp_path
            )
        )
        contents: list[dict[str, Any]] = [{"role": "user", "parts": [{"text": "Audit src/pkg."}]}]
        compressed = 0
        async with aiohttp.ClientSession() as s:
            for turn in range(25):
                stream = turn % 2 == 1
                verb = "streamGenerateContent?alt=sse" if stream else "generateContent"
                body = {
                    "contents": contents,
                    "systemInstruction": {"parts": [{"text": "You audit code."}]},
                    "tools": [
                        {"functionDeclarations": [{"name": "read_file", "parameters": {"type": "object"}}]}
                    ],
                    "generationConfig": {"maxOutputTokens": 256},
                }
                async with s.post(
                    f"{proxy.url}/google/v1beta/models/small-model:{verb}",
                    data=orjson.dumps(body),
                    headers={"x-goog-api-key": "k"},
                ) as r:
                    assert r.status == 200, await r.text()
                    compressed += r.headers["x-ctxproxy-compressed"] == "1"
                    raw = await r.read()
                if stream:
                    events = [
                        orjson.loads(line[5:]) for line in raw.split(b"\n") if line.startswith(b"data:")
                    ]
                    parts = [
                        p for e in events for c in e.get("candidates", []) for p in c["content"]["parts"]
                    ]
                else:
                    parts = orjson.loads(raw)["candidates"][0]["content"]["parts"]
                calls = [p for p in parts if "functionCall" in p]
                assert calls
                contents.append({"role": "model", "parts": calls})
                contents.append(
                    {
                        "role": "user",
                        "parts": [
                            {
                                "functionResponse": {
                                    "name": c["functionCall"]["name"],
                                    "response": {"text": tool_output(turn)},
                                }
                            }
                            for c in calls
                        ],
                    }
                )
        assert fake.invalid == [], [r.error for r in fake.invalid]
        assert fake.overflows == []
        assert compressed >= 10


async def test_identical_spans_across_agents_are_summarized_once() -> None:
    backend = FakeBackend()
    settings = load_settings(environ={}).compression
    summarizer = LLMSummarizer(backend, SummarizerSettings(mode="llm", model="x"), kv=MemoryKV())
    compactor = Compactor(settings, counter=TokenCounter(), summarizer=summarizer)
    msgs = tool_history(24, lines=20, task="Shared task: audit src/pkg.")
    results = []
    for agent in ("agent_a", "agent_b", "agent_c"):
        body = {"model": "m", "messages": msgs, "max_tokens": 256}
        results.append(await compactor.compress(body, "openai-chat", "m", Limits(6_000, None, 512), agent))
    assert all(r.compressed for r in results)
    assert "summarize" in [name for name, _ in results[0].stages]
    assert len(backend.prompts) == 1  # the other two agents reused the cached summary
    assert results[0].body == results[1].body == results[2].body
