"""Agent traffic for the replica/Redis fault tests and the fault benchmark: tool-loop
conversations through real proxies (openai SDK) to the strict fake, turn by turn, recording
what the provider received."""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import openai
import orjson

from tests.integration.livekit import TOOLS_OAI, tool_output


@dataclass
class Turn:
    sent: list[Any]  # the messages the client sent
    seen: list[Any]  # the messages the provider received
    ms: float  # the client's wall time for the call
    replica: int

    @property
    def compressed(self) -> bool:
        return self.seen != self.sent


def _norm(raw: bytes) -> list[bytes]:
    body = orjson.loads(re.sub(rb"call_\d+", b"call_N", raw))
    return [orjson.dumps(m) for m in body["messages"]]


class Dialogue:
    """One tool-loop conversation, advanced a turn at a time through any replica."""

    def __init__(self, fake: Any, agent: str = "a", task: str = "Audit src/pkg.") -> None:
        self.fake = fake
        self.agent = agent
        self.messages: list[dict[str, Any]] = [{"role": "user", "content": task}]
        self.turns: list[Turn] = []

    async def step(self, proxy: Any, replica: int = 0) -> Turn:
        turn = len(self.turns)
        async with openai.AsyncOpenAI(
            base_url=f"{proxy.url}/agent/{self.agent}/fake", api_key="k", max_retries=0
        ) as client:
            t0 = time.perf_counter()
            c = await client.chat.completions.create(
                model="small-model", messages=self.messages, tools=TOOLS_OAI, max_tokens=256
            )  # type: ignore[arg-type]
            ms = (time.perf_counter() - t0) * 1000
        sent = _norm(orjson.dumps({"messages": self.messages}))
        self.turns.append(Turn(sent, _norm(self.fake.requests[-1].raw), ms, replica))
        msg = c.choices[0].message.model_dump(exclude_none=True)
        self.messages.append(msg)
        for tc in msg["tool_calls"]:
            self.messages.append({"role": "tool", "tool_call_id": tc["id"], "content": tool_output(turn, 25)})
        return self.turns[-1]


async def converse(
    proxies: Sequence[Any],
    fake: Any,
    turns: int,
    *,
    agent: str = "a",
    task: str = "Audit src/pkg.",
    before_turn: Callable[[int], Awaitable[None]] | None = None,
) -> list[Turn]:
    """One conversation of ``turns`` turns; turn ``t`` goes to ``proxies[t % n]``."""
    dialogue = Dialogue(fake, agent, task)
    for turn in range(turns):
        if before_turn is not None:
            await before_turn(turn)
        await dialogue.step(proxies[turn % len(proxies)], turn % len(proxies))
    return dialogue.turns


def stable(prev: Turn, cur: Turn) -> bool:
    """The provider's view: this request starts with the previous one, byte for byte."""
    return cur.seen[: len(prev.seen)] == prev.seen


def stability(turns: Sequence[Turn], first: int = 1, end: int | None = None) -> float | None:
    """Share of compressed turns in ``[first, end)`` whose prefix the provider could reuse."""
    pairs = [
        (p, c) for i, (p, c) in enumerate(itertools.pairwise(turns), 1) if first <= i < (end or len(turns))
    ]
    judged = [stable(p, c) for p, c in pairs if c.compressed]
    return sum(judged) / len(judged) if judged else None
