"""Strict fake upstreams, one per provider API, for tests that must not fool themselves.

Each fake is an aiohttp app that behaves like the real provider where it matters to a
context-compressing proxy:

- a configurable context window, counted with ``strict_tokens.json_tokens`` (tiktoken
  cl100k over the JSON of the conversation fields; a slight over-count), and the provider's
  real overflow error shape and status when it is exceeded;
- validation with the provider's real 400 texts (tool pairing, role order, reasoning items,
  cache_control count, thinking signatures … see each module);
- a record of every request (``fake.requests``: body, headers, outcome) with
  ``fake.invalid`` / ``fake.overflows`` / ``fake.ok`` views for assertions;
- scripted replies (``strict_scripts``): text, tool calls, or a scripted error, decided by
  a callable from the request; the default plays MassGen's coordination loop.

Usage::

    async with OpenAIChatFake(window=8192, script=tool_loop(3, "lookup")) as fake:
        client = AsyncOpenAI(base_url=fake.base_url, api_key="x")

Standalone (manual runs, MassGen experiments)::

    python -m tests.fakes.strict openai-chat --port 18080 --window 8192
"""

from __future__ import annotations

import argparse
import asyncio

from tests.fakes.strict_anthropic import AnthropicFake
from tests.fakes.strict_base import ProviderError, Recorded, StrictFake
from tests.fakes.strict_gemini import GeminiFake
from tests.fakes.strict_openai_chat import OpenAIChatFake
from tests.fakes.strict_openai_responses import OpenAIResponsesFake
from tests.fakes.strict_scripts import Fail, FakeRequest, Reply, Script, ToolCall, always, massgen, tool_loop

FAKES: dict[str, type[StrictFake]] = {
    "openai-chat": OpenAIChatFake,
    "openai-responses": OpenAIResponsesFake,
    "anthropic": AnthropicFake,
    "gemini": GeminiFake,
}

__all__ = [
    "FAKES",
    "AnthropicFake",
    "Fail",
    "FakeRequest",
    "GeminiFake",
    "OpenAIChatFake",
    "OpenAIResponsesFake",
    "ProviderError",
    "Recorded",
    "Reply",
    "Script",
    "StrictFake",
    "ToolCall",
    "always",
    "massgen",
    "tool_loop",
]


async def _serve(api: str, port: int, window: int) -> None:
    fake = FAKES[api](window, port=port)
    await fake.start()
    print(f"{api} strict fake on {fake.base_url} (window {window} tokens)", flush=True)
    try:
        await asyncio.Event().wait()  # until Ctrl-C
    finally:
        await fake.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description="Run one strict fake upstream (MassGen's coordination script)"
    )
    parser.add_argument("api", choices=sorted(FAKES))
    parser.add_argument("--port", type=int, default=18080)
    parser.add_argument("--window", type=int, default=128_000)
    args = parser.parse_args()
    try:
        asyncio.run(_serve(args.api, args.port, args.window))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
