"""Long tool-using sessions through the proxy to strict fakes with small context windows.

The fakes enforce the window with the provider's real overflow error and reject invalid tool
pairing like the real provider. The client is the real SDK playing an agent that resends the
whole history every turn. Nothing may reach the client as an error.
"""

from __future__ import annotations

import asyncio
import inspect
from typing import Any

import aiohttp
import openai
import orjson
import pytest

import proxy.server.fast_path as fast_path
from proxy.config import load_settings
from tests.fakes.strict import AnthropicFake, OpenAIChatFake, OpenAIResponsesFake, tool_loop
from tests.integration.conftest import SdkClients, fetch_stats

WINDOW = 12_000


def tool_output(turn: int, lines: int = 60) -> str:
    """A realistic file read: varied lines with paths, numbers and identifiers."""
    return "\n".join(
        f"src/pkg/module_{turn}.py:{i}: def handler_{turn}_{i}(request_id={turn * 1000 + i}): "
        f"return fetch('https://api.example.com/v{i % 3}/items/{turn}-{i}') if ok else None"
        for i in range(lines)
    )


def settings_for(
    upstreams: dict[str, Any], tmp_path: Any, window: int = WINDOW, max_output: int = 512, **extra: Any
) -> Any:
    overrides: dict[str, Any] = {
        "upstreams": upstreams,
        "catalog": {
            "cache_dir": str(tmp_path / "cache"),
            "refresh_on_start": False,
            "sources": ["litellm"],
            "overrides": {"small-model": {"context_window": window, "max_output_tokens": max_output}},
        },
    }
    overrides.update(extra)
    return load_settings(environ={}, overrides=overrides)


TOOLS_OAI = [
    {
        "type": "function",
        "function": {
            "name": "read_file",
            "description": "Read a file",
            "parameters": {"type": "object", "properties": {"path": {"type": "string"}}},
        },
    }
]


def tool_history(turns: int, lines: int = 60, task: str = "Audit src/pkg.") -> list[dict[str, Any]]:
    """A Chat Completions history: the task, then ``turns`` read_file calls with their outputs."""
    messages: list[dict[str, Any]] = [{"role": "user", "content": task}]
    for turn in range(turns):
        call = {
            "id": f"call_{turn}",
            "type": "function",
            "function": {"name": "read_file", "arguments": "{}"},
        }
        messages.append({"role": "assistant", "content": None, "tool_calls": [call]})
        messages.append({"role": "tool", "tool_call_id": f"call_{turn}", "content": tool_output(turn, lines)})
    return messages


async def responses_chain(
    base_urls: list[str], turns: int, settle_s: float = 0.0
) -> tuple[list[str | None], list[list[dict[str, Any]]]]:
    """A Responses tool loop continued with ``previous_response_id``, turn ``n`` sent through
    ``base_urls[n % len]``: (the ``x-ctxproxy-native-compaction`` header of each turn, the
    input items each turn sent)."""
    tools = [{"type": "function", "name": "read_file", "parameters": {"type": "object", "properties": {}}}]
    previous: str | None = None
    pending: list[dict[str, Any]] = [{"role": "user", "content": "Audit src/pkg."}]
    native: list[str | None] = []
    sent: list[list[dict[str, Any]]] = []
    for turn in range(turns):
        url = base_urls[turn % len(base_urls)]
        async with openai.AsyncOpenAI(base_url=url, api_key="k", max_retries=0) as client:
            raw = await client.responses.with_raw_response.create(
                model="small-model",
                input=pending,  # type: ignore[arg-type]
                tools=tools,  # type: ignore[arg-type]
                max_output_tokens=256,
                **({"previous_response_id": previous} if previous else {}),
            )
        native.append(raw.headers.get("x-ctxproxy-native-compaction"))
        sent.append(pending)
        resp = raw.parse()
        previous = resp.id
        pending = [
            {"type": "function_call_output", "call_id": o.call_id, "output": tool_output(turn, 30)}
            for o in resp.output
            if o.type == "function_call"
        ]
        if settle_s:
            await asyncio.sleep(settle_s)
    return native, sent


async def _parsed(raw: Any) -> Any:
    value = raw.parse()
    return await value if inspect.isawaitable(value) else value


def answer_tools(messages: list[dict[str, Any]], msg: Any, output: str) -> None:
    """Append an Anthropic reply and a user turn answering each of its tool calls with ``output``."""
    messages.append({"role": "assistant", "content": [b.model_dump(exclude_none=True) for b in msg.content]})
    results = [
        {"type": "tool_result", "tool_use_id": b.id, "content": output}
        for b in msg.content
        if b.type == "tool_use"
    ]
    messages.append({"role": "user", "content": results})


async def test_openai_chat_long_tool_session_never_errors(
    sdk: SdkClients, make_proxy: Any, tmp_path: Any
) -> None:
    async with OpenAIChatFake(window=WINDOW, script=tool_loop(10_000, "read_file")) as fake:
        proxy = await make_proxy(
            settings_for(
                {"fake": {"base_url": fake.base_url, "api": "openai", "api_key_env": None}}, tmp_path
            )
        )
        client = sdk.openai(f"{proxy.url}/agent/coder/fake", api_key="k")
        messages: list[dict[str, Any]] = [
            {"role": "system", "content": "You are a coding agent. Use read_file."},
            {"role": "user", "content": "Audit every module under src/pkg and report the request ids."},
        ]
        compressed_turns = 0
        for turn in range(30):
            stream = turn % 2 == 1
            raw = await client.chat.completions.with_raw_response.create(
                model="small-model",
                messages=messages,
                tools=TOOLS_OAI,
                max_tokens=256,  # type: ignore[arg-type]
                stream=stream,
                **({"stream_options": {"include_usage": True}} if stream else {}),
            )
            compressed_turns += raw.headers["x-ctxproxy-compressed"] == "1"
            assert raw.headers["x-ctxproxy-context-window"] == str(WINDOW)
            if stream:
                calls: dict[int, dict[str, Any]] = {}
                async for chunk in raw.parse():
                    for choice in chunk.choices:
                        for tc in choice.delta.tool_calls or []:
                            slot = calls.setdefault(tc.index, {"id": tc.id, "args": "", "name": None})
                            slot["id"] = tc.id or slot["id"]
                            if tc.function:
                                slot["name"] = tc.function.name or slot["name"]
                                slot["args"] += tc.function.arguments or ""
                tool_calls = [
                    {
                        "id": c["id"],
                        "type": "function",
                        "function": {"name": c["name"], "arguments": c["args"]},
                    }
                    for c in calls.values()
                ]
                messages.append({"role": "assistant", "content": None, "tool_calls": tool_calls})
            else:
                msg = raw.parse().choices[0].message
                messages.append(msg.model_dump(exclude_none=True))
                tool_calls = messages[-1]["tool_calls"]
            for tc in tool_calls:
                messages.append({"role": "tool", "tool_call_id": tc["id"], "content": tool_output(turn)})
        assert fake.invalid == [], [r.error for r in fake.invalid]
        assert fake.overflows == []
        assert compressed_turns >= 15
        last = fake.requests[-1].body
        assert last["messages"][0] == messages[0] and last["messages"][1] == messages[1]  # protected
        assert (
            last["messages"][-1] == messages[-3]
        )  # the newest tool result (of the last request) is verbatim
        stats = await fetch_stats(proxy)
        agent = stats["agents"]["coder"]
        assert agent["requests"] == 30 and agent["compactions"] >= 15
        assert agent["tokens_saved"] > 0
        assert agent["cache_stable_prefix_rate"] is not None


async def test_anthropic_long_tool_session_never_errors(
    sdk: SdkClients, make_proxy: Any, tmp_path: Any
) -> None:
    async with AnthropicFake(window=WINDOW, script=tool_loop(10_000, "read_file")) as fake:
        proxy = await make_proxy(
            settings_for(
                {"fake": {"base_url": fake.base_url, "api": "anthropic", "api_key_env": None}}, tmp_path
            )
        )
        client = sdk.anthropic(f"{proxy.url}/fake", api_key="k")
        tools = [
            {
                "name": "read_file",
                "description": "Read a file",
                "input_schema": {"type": "object", "properties": {"path": {"type": "string"}}},
            }
        ]
        messages: list[dict[str, Any]] = [{"role": "user", "content": "Audit every module under src/pkg."}]
        compressed = 0
        for turn in range(30):
            raw = await client.messages.with_raw_response.create(
                model="small-model",
                max_tokens=256,
                system="You are a coding agent.",
                tools=tools,
                messages=messages,  # type: ignore[arg-type]
            )
            compressed += raw.headers["x-ctxproxy-compressed"] == "1"
            answer_tools(messages, await _parsed(raw), tool_output(turn))
        assert fake.invalid == [], [r.error for r in fake.invalid]
        assert fake.overflows == []
        assert compressed >= 15
        first = fake.requests[-1].body["messages"][0]
        # the task stays verbatim; the anchored summary may follow it in the same user turn
        first_text = first["content"] if isinstance(first["content"], str) else first["content"][0]["text"]
        assert first["role"] == "user" and first_text == messages[0]["content"]


async def test_responses_long_tool_session_never_errors(
    sdk: SdkClients, make_proxy: Any, tmp_path: Any
) -> None:
    async with OpenAIResponsesFake(window=WINDOW, script=tool_loop(10_000, "read_file")) as fake:
        proxy = await make_proxy(
            settings_for(
                {"fake": {"base_url": fake.base_url, "api": "openai", "api_key_env": None}}, tmp_path
            )
        )
        client = sdk.openai(f"{proxy.url}/fake", api_key="k")
        tools = [
            {"type": "function", "name": "read_file", "parameters": {"type": "object", "properties": {}}}
        ]
        items: list[dict[str, Any]] = [{"role": "user", "content": "Audit every module under src/pkg."}]
        compressed = 0
        for turn in range(30):
            raw = await client.responses.with_raw_response.create(
                model="small-model",
                instructions="You are a coding agent.",
                input=items,  # type: ignore[arg-type]
                tools=tools,
                max_output_tokens=256,
                store=False,  # type: ignore[arg-type]
            )
            compressed += raw.headers["x-ctxproxy-compressed"] == "1"
            resp = raw.parse()
            for out in resp.output:
                items.append(out.model_dump(exclude_none=True))
                if out.type == "function_call":
                    items.append(
                        {"type": "function_call_output", "call_id": out.call_id, "output": tool_output(turn)}
                    )
        assert fake.invalid == [], [r.error for r in fake.invalid]
        assert fake.overflows == []
        assert compressed >= 15


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
