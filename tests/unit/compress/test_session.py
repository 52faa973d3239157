"""A simulated 200-turn tool-using agent session: byte-stable prefixes and hysteresis."""

from __future__ import annotations

import itertools
from typing import Any

import orjson
import pytest

from proxy.compress import Compactor, Limits, TokenCounter, violations
from proxy.config import load_settings
from proxy.storage import MemoryKV
from tests.unit.compress.convgen import RENDER, Turn, filler

COUNTER = TokenCounter()
WINDOW = 24_000


def session_steps(steps: int) -> list[list[Turn]]:
    """Each step is what one agent turn appends; every request ends with a user or tool item."""
    out: list[list[Turn]] = [
        [("user", "Refactor the payment module; the invoice total must stay 1234.56 EUR.")]
    ]
    for i in range(steps):
        if i % 10 == 9:
            out.append(
                [
                    ("assistant", f"Progress note {i}: edited src/pay/m{i}.py, tests pass."),
                    ("user", f"Checkpoint {i}: keep going, and remember ticket OPS-{i}."),
                ]
            )
        else:
            size = 4000 if i % 17 == 0 else 60 + (i * 37) % 400
            out.append([("tools", [("read_file", f'{{"path": "src/pay/m{i}.py"}}', filler(i, size))], None)])
    return out


@pytest.mark.parametrize("api", ["openai-chat", "openai-responses", "anthropic", "gemini"])
async def test_200_turn_session_reuses_prefix_and_compacts_once_per_drain(api: str) -> None:
    compactor = Compactor(load_settings(environ={}).compression, kv=MemoryKV(), counter=COUNTER)
    steps = session_steps(200)
    container = {"openai-responses": "input", "gemini": "contents"}.get(api, "messages")
    prev_sent: list[bytes] | None = None
    compactions: list[int] = []
    reuse_checks = reused = 0
    for turn in range(1, len(steps) + 1):
        body: dict[str, Any] = RENDER[api]([t for step in steps[:turn] for t in step])
        result = await compactor.compress(body, api, body["model"], Limits(WINDOW, None, None))
        sent = result.body if result.body is not None else body
        assert violations(api, sent) <= violations(api, body)
        assert result.tokens_after <= result.budget
        items = [orjson.dumps(i) for i in sent[container]]
        if result.compressed and not result.reused_prefix:
            compactions.append(turn)
            assert result.tokens_after <= result.target_tokens
        elif compactions:
            # A replayed turn: everything sent last time is reused byte for byte.
            assert prev_sent is not None
            reuse_checks += 1
            reused += items[: len(prev_sent)] == prev_sent
        prev_sent = items
    assert len(compactions) >= 3, compactions
    assert all(b - a > 1 for a, b in itertools.pairwise(compactions)), compactions
    assert reused / reuse_checks >= 0.95, (reused, reuse_checks)
