"""More live paths: Responses chains (previous_response_id), Gemini native, spans shared by agents."""

from __future__ import annotations

from typing import Any

import aiohttp
import openai
import orjson

from proxy.compress import Compactor, TokenCounter
from proxy.compress.llm_summarizer import LLMSummarizer
from proxy.config import SummarizerSettings, load_settings
from proxy.storage import MemoryKV
from tests.fakes.strict import GeminiFake, OpenAIResponsesFake, tool_loop
from tests.integration.test_live_compression import WINDOW, settings_for, tool_output
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
        client = openai.AsyncOpenAI(base_url=f"{proxy.url}/fake", api_key="k", max_retries=0)
        tools = [
            {"type": "function", "name": "read_file", "parameters": {"type": "object", "properties": {}}}
        ]
        previous: str | None = None
        pending: list[dict[str, Any]] = [{"role": "user", "content": "Audit src/pkg."}]
        native = []
        for turn in range(12):
            raw = await client.responses.with_raw_response.create(
                model="small-model",
                input=pending,
                tools=tools,
                max_output_tokens=256,  # type: ignore[arg-type]
                **({"previous_response_id": previous} if previous else {}),
            )
            native.append(raw.headers.get("x-ctxproxy-native-compaction"))
            resp = raw.parse()
            previous = resp.id
            pending = [
                {"type": "function_call_output", "call_id": o.call_id, "output": tool_output(turn, 30)}
                for o in resp.output
                if o.type == "function_call"
            ]
        assert fake.invalid == [] and fake.overflows == []
        assert native[0] is None and "context_management" in native
        first = native.index("context_management")
        sent = fake.requests[first].body
        assert sent["context_management"][0]["type"] == "compaction"
        assert 0 < sent["context_management"][0]["compact_threshold"] < WINDOW
        assert sent["input"] == fake.requests[first].body["input"]  # the items themselves untouched
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
    msgs: list[dict[str, Any]] = [{"role": "user", "content": "Shared task: audit src/pkg."}]
    for t in range(24):
        msgs.append(
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {"id": f"c{t}", "type": "function", "function": {"name": "read_file", "arguments": "{}"}}
                ],
            }
        )
        msgs.append({"role": "tool", "tool_call_id": f"c{t}", "content": tool_output(t, 20)})
    results = []
    for agent in ("agent_a", "agent_b", "agent_c"):
        body = {"model": "m", "messages": msgs, "max_tokens": 256}
        results.append(await compactor.compress(body, "openai-chat", "m", 6_000, None, 512, agent))
    assert all(r.compressed for r in results)
    assert "summarize" in [name for name, _ in results[0].stages]
    assert len(backend.prompts) == 1  # the other two agents reused the cached summary
    assert results[0].body == results[1].body == results[2].body
