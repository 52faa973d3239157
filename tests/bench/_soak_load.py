"""The soak benchmark's load: the clients that stream through the proxy until the deadline and
the tally of what they saw. Short clients send a fresh 2–6 message conversation with new text
every time; long clients grow a tool-using conversation turn by turn until it compresses, then
start a new one. A request counts as an error when it is not a 200 or its stream does not end
with ``[DONE]``."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field

import aiohttp
import orjson
from _soak_upstream import MODEL

WORDS = (
    "agent context tool result file diff test patch review summary plan step cache lock "
    "writer reader queue retry budget window token stream event socket buffer worker"
).split()


@dataclass
class Tally:
    requests: int = 0
    errors: int = 0
    compressed: int = 0
    kinds: dict[str, int] = field(default_factory=dict)

    def error(self, kind: str) -> None:
        self.errors += 1
        self.kinds[kind] = self.kinds.get(kind, 0) + 1


def text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) + str(rng.randrange(1000)) for _ in range(words))


async def one(
    session: aiohttp.ClientSession, url: str, body: dict[str, object], tally: Tally, headers: dict[str, str]
) -> bool:
    try:
        async with session.post(url, data=orjson.dumps(body), headers=headers) as resp:
            data = await resp.read()
            if resp.status != 200:
                tally.error(f"http {resp.status}")
                return False
            if not data.rstrip().endswith(b"data: [DONE]"):
                tally.error("stream incomplete")
                return False
            tally.compressed += resp.headers.get("x-ctxproxy-compressed") == "1"
    except (aiohttp.ClientError, TimeoutError) as exc:
        tally.error(type(exc).__name__)
        return False
    tally.requests += 1
    return True


async def short_client(n: int, url: str, deadline: float, tally: Tally) -> None:
    rng = random.Random(n)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as session:
        i = 0
        while time.monotonic() < deadline:
            i += 1
            messages: list[dict[str, object]] = [{"role": "system", "content": "You are a helpful agent."}]
            for turn in range(rng.randrange(1, 6)):
                role = "user" if turn % 2 == 0 else "assistant"
                messages.append({"role": role, "content": text(rng, rng.randrange(20, 200))})
            if messages[-1]["role"] != "user":
                messages.append({"role": "user", "content": text(rng, 30)})
            body = {
                "model": MODEL,
                "messages": messages,
                "stream": True,
                "stream_options": {"include_usage": True},
            }
            await one(session, url, body, tally, {"x-ctxproxy-agent": f"s{n}-{i % 50}"})


async def long_client(n: int, url: str, deadline: float, tally: Tally, turns: int = 60) -> None:
    rng = random.Random(10_000 + n)
    tools = [
        {
            "type": "function",
            "function": {"name": "read_file", "parameters": {"type": "object", "properties": {}}},
        }
    ]
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as session:
        conversation = 0
        while time.monotonic() < deadline:
            conversation += 1
            messages: list[dict[str, object]] = [
                {"role": "system", "content": "You are a coding agent. Use read_file."},
                {"role": "user", "content": f"Audit package pkg{n}-{conversation}: " + text(rng, 40)},
            ]
            for turn in range(turns):
                if time.monotonic() >= deadline:
                    return
                body = {
                    "model": MODEL,
                    "messages": messages,
                    "tools": tools,
                    "max_tokens": 512,
                    "stream": True,
                }
                body["stream_options"] = {"include_usage": True}
                if not await one(session, url, body, tally, {"x-ctxproxy-agent": f"long{n}"}):
                    break
                call_id = f"call_{n}_{conversation}_{turn}"
                call = {
                    "id": call_id,
                    "type": "function",
                    "function": {"name": "read_file", "arguments": "{}"},
                }
                messages.append({"role": "assistant", "content": None, "tool_calls": [call]})
                lines = "\n".join(f"src/m{turn}.py:{i}: " + text(rng, 8) for i in range(12))
                messages.append({"role": "tool", "tool_call_id": call_id, "content": lines})
