"""Long tool-using sessions through the proxy to strict fakes with small context windows, in
each API (Chat Completions, Anthropic Messages, Responses): the client is the real SDK playing
an agent that resends the whole history every turn, and nothing may reach it as an error.

The fakes enforce the window with the provider's real overflow error and reject invalid tool
pairing like the real provider.
"""

from __future__ import annotations

from typing import Any

from tests.fakes.strict import AnthropicFake, OpenAIChatFake, OpenAIResponsesFake, tool_loop
from tests.integration.conftest import SdkClients, fetch_stats
from tests.integration.livekit import TOOLS_OAI, WINDOW, _parsed, answer_tools, settings_for, tool_output


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
