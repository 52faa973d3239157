"""What ``bench_live.py`` sends and the in-process proxy it sends it to: a coding agent's tool
loop (``conversation``, its tool outputs from ``tool_text``), the settings with the bench
models' windows (``LOOP_MODELS`` for the simulated session), the real ``CompressionHooks``
built from them, and a ``ChatRequest`` for a body as the server would make it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from multidict import CIMultiDict

from proxy.catalog import Catalog
from proxy.compress import Compactor, TokenCounter
from proxy.config import Settings, load_settings
from proxy.observability.metrics import Metrics
from proxy.server.compression import CompressionHooks
from proxy.server.hooks import ChatRequest
from proxy.server.routing import resolve
from proxy.server.stats import Stats
from proxy.server.upstreams import UpstreamRegistry


def tool_text(turn: int, lines: int) -> str:
    return "\n".join(
        f"src/svc_{turn % 7}/mod_{turn}.py:{i}: result id={turn * 977 + i} status={'ok' if i % 5 else 'retry'} "
        f"latency_ms={(turn * 31 + i * 17) % 900} path=/api/v{i % 3}/items/{turn}-{i}"
        for i in range(lines)
    )


def conversation(
    turns: int, lines: int, task: str = "Audit every service and report failing ids."
) -> list[dict[str, Any]]:
    msgs: list[dict[str, Any]] = [
        {"role": "system", "content": "You are a meticulous coding agent. " * 40},
        {"role": "user", "content": task},
    ]
    for t in range(turns):
        call = f"call_{t}"
        msgs.append(
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": call,
                        "type": "function",
                        "function": {"name": "read_file", "arguments": f'{{"t": {t}}}'},
                    }
                ],
            }
        )
        msgs.append({"role": "tool", "tool_call_id": call, "content": tool_text(t, lines)})
    return msgs


# The loop's model: of no known provider (compaction at the trigger only), or named like a
# Claude or GPT model (the policy then also prices early compactions with that family's cache)
LOOP_MODELS = ("bench-32k", "claude-32k", "gpt-32k")


def settings_for(tmp: Path, base_url: str = "http://127.0.0.1:9/v1") -> Settings:
    return load_settings(
        environ={},
        overrides={
            "upstreams": {"fake": {"base_url": base_url, "api": "openai", "api_key_env": None}},
            "catalog": {
                "cache_dir": str(tmp / "cache"),
                "refresh_on_start": False,
                "sources": ["litellm"],
                "overrides": {
                    "bench-1m": {"context_window": 1_000_000, "max_output_tokens": 8192},
                    "bench-256k": {"context_window": 262_144, "max_output_tokens": 8192},
                    "bench-128k": {"context_window": 128_000, "max_output_tokens": 4096},
                    **{m: {"context_window": 32_768, "max_output_tokens": 2048} for m in LOOP_MODELS},
                },
            },
        },
    )


async def make_hooks(settings: Settings) -> CompressionHooks:
    catalog = Catalog(settings)
    await catalog.start()
    compactor = Compactor(settings.compression, counter=TokenCounter())
    return CompressionHooks(settings, compactor, Metrics(), Stats(), catalog=catalog)


def chat_request(settings: Settings, body: dict[str, Any], agent: str = "bench") -> ChatRequest:
    registry = UpstreamRegistry(settings.upstreams, settings.server)
    route = resolve(registry, "fake", "POST", "/fake/chat/completions")
    raw = orjson.dumps(body)
    return ChatRequest(route, "openai-chat", "r", raw, body, agent, "path", CIMultiDict())
