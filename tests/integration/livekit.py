"""Sessions through the proxy to strict fakes with small context windows: the settings, the
tool outputs and histories an agent sends, and the SDK helpers the live tests share.

``settings_for`` routes upstreams to the fakes and gives ``small-model`` a context window of
:data:`WINDOW` tokens (or the one asked for); ``tool_output`` is a realistic file read.
"""

from __future__ import annotations

import asyncio
import inspect
from typing import Any

import openai

from proxy.config import load_settings

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
