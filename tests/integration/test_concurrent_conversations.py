"""Many conversations on one model at once, through the proxy, to strict fakes.

The fakes count every request's tokens (tiktoken over the JSON they receive) and refuse one
over the window with the provider's real error. The proxy's token calibration is per model,
so concurrent conversations of one model feed the same correction; each usage must be paired
with the estimate of its own request, and one odd ratio must not swing the next estimates.
"""

from __future__ import annotations

import asyncio
import statistics
from typing import Any

import orjson
import pytest

from proxy.config import load_settings
from tests.fakes.strict import AnthropicFake, OpenAIChatFake, tool_loop
from tests.fakes.strict_base import Recorded
from tests.fakes.strict_tokens import memo_json_tokens
from tests.integration.conftest import SdkClients
from tests.integration.livekit import TOOLS_OAI, _parsed, answer_tools

# ~20 s of CPU each (1,600 and 400 requests of 10–25k tokens); a busy shared machine stretches that
pytestmark = pytest.mark.timeout(300)

MODEL = "shared-model"
WINDOW = 16_000
MAX_OUT = 512
TOOLS_ANT = [
    {
        "name": "read_file",
        "description": "Read a file",
        "input_schema": {"type": "object", "properties": {"path": {"type": "string"}}},
    }
]


# SDK_BYPASS: the history goes in ``extra_body`` (the SDK sends it as given) instead of
# ``messages=``, whose per-field type transform costs the SDK ~30 ms per 80-message request and
# would make 1,600 requests a minute of client CPU. Everything else is the SDK's own path.


def settings(upstreams: dict[str, Any], tmp_path: Any) -> Any:
    return load_settings(
        environ={},
        overrides={
            "upstreams": upstreams,
            "catalog": {
                "cache_dir": str(tmp_path / "cache"),
                "refresh_on_start": False,
                "sources": ["litellm"],
                "overrides": {MODEL: {"context_window": WINDOW, "max_output_tokens": MAX_OUT}},
            },
        },
    )


def output(marker: str, turn: int, style: int, lines: int) -> str:
    """A tool result in one of three styles the tokenizers count differently: code lines,
    prose, JSON records (quotes become escapes in the request JSON). Every line carries the
    conversation's marker so leaked content is visible."""
    if style == 0:
        rows = [
            f"{marker} src/pkg/mod_{turn}.py:{i}: def h_{turn}_{i}(rid={turn * 97 + i}): "
            f"return get('/v{i % 3}/items/{turn}-{i}')"
            for i in range(lines)
        ]
    elif style == 1:
        rows = [
            f"{marker} line {i}: the reviewer noted that step {turn} reads the cache before "
            f"the lock is taken, which races with writer number {i % 7} on slow disks."
            for i in range(lines)
        ]
    else:
        rows = [
            orjson.dumps(
                {"m": marker, "turn": turn, "i": i, "path": f"a/b/{i}.json", "ok": i % 2 == 0}
            ).decode()
            for i in range(lines)
        ]
    return "\n".join(rows)


def ratios(fake_requests: list[Recorded], sent: dict[str, int]) -> list[float]:
    """Upstream-counted ÷ proxy-estimated input tokens, per request that reached the fake."""
    out = []
    for rec in fake_requests:
        tag = rec.headers.get("x-test-tag", "")
        if tag in sent and rec.input_tokens:
            out.append(rec.input_tokens / sent[tag])
    return out


async def test_forty_conversations_share_one_model_window(
    sdk: SdkClients, make_proxy: Any, tmp_path: Any, captured_logs: Any
) -> None:
    """40 concurrent conversations × 40 turns on one 16k-window model: none over the window at
    the upstream, and every proxy estimate within 0.8–1.25 of the upstream's own count (read
    from the ``request.completed`` lines: a fast-path answer may come before its estimate, and
    its token headers are then left out)."""
    conversations, turns = 40, 40
    async with OpenAIChatFake(
        window=WINDOW, script=tool_loop(10**6, "read_file"), count=memo_json_tokens()
    ) as fake:
        proxy = await make_proxy(
            settings({"fake": {"base_url": fake.base_url, "api": "openai", "api_key_env": None}}, tmp_path)
        )
        request_ids: dict[str, str] = {}  # test tag → the proxy's request id
        compressed = 0

        async def converse(c: int) -> None:
            nonlocal compressed
            # one client per conversation, as separate processes would be (and httpx's pool
            # scan costs O(connections) per request when 40 tasks share one)
            client = sdk.openai(f"{proxy.url}/fake", api_key="k")
            marker = f"CONV{c:02d}"
            messages: list[dict[str, Any]] = [
                {"role": "system", "content": "You are a coding agent. Use read_file."},
                {"role": "user", "content": f"{marker}: audit package pkg{c} and list every request id."},
            ]
            for turn in range(turns):
                tag = f"{c}-{turn}"
                raw = await client.chat.completions.with_raw_response.create(
                    model=MODEL,
                    messages=[],
                    tools=TOOLS_OAI,  # type: ignore[arg-type]
                    max_tokens=MAX_OUT,
                    extra_headers={"x-test-tag": tag},
                    extra_body={"messages": messages},  # see SDK_BYPASS
                )
                request_ids[tag] = raw.headers["x-request-id"]
                compressed += raw.headers["x-ctxproxy-compressed"] == "1"
                msg = raw.parse().choices[0].message
                messages.append(msg.model_dump(exclude_none=True))
                for call in msg.tool_calls or []:
                    text = output(marker, turn, c % 3, 9 + (c * 7 + turn) % 8)
                    messages.append({"role": "tool", "tool_call_id": call.id, "content": text})

        await asyncio.gather(*(converse(c) for c in range(conversations)))

        lines = [orjson.loads(line) for line in captured_logs.getvalue().splitlines()]
        sent = {e["request_id"]: e["tokens_after"] for e in lines if e["event"] == "request.completed"}
        estimates = {tag: sent[rid] for tag, rid in request_ids.items() if rid in sent}
        r = ratios(fake.requests, estimates)
        seen = (
            f"{len(fake.overflows)} over the window, {len(fake.requests)} requests, {compressed} compressed, "
            f"upstream/proxy ratio {min(r):.3f}–{max(r):.3f} (median {statistics.median(r):.3f})"
        )
        assert fake.invalid == [], [r.error for r in fake.invalid[:3]]
        assert fake.overflows == [], seen
        assert len(fake.requests) == conversations * turns, seen  # no overflow retries either
        assert compressed >= conversations * turns // 4, seen
        assert len(r) == conversations * turns
        assert 0.8 <= min(r) and max(r) <= 1.25, seen


async def test_fifty_agents_all_compressing_stay_apart(
    sdk: SdkClients, make_proxy: Any, tmp_path: Any
) -> None:
    """50 agents × 8 turns on one model (half Chat Completions, half Anthropic), every request
    over the trigger: no invalid and no over-window request, no agent sees another's content."""
    agents, turns = 50, 8
    async with (
        OpenAIChatFake(window=WINDOW, script=tool_loop(10**6, "read_file"), count=memo_json_tokens()) as oai,
        AnthropicFake(window=WINDOW, script=tool_loop(10**6, "read_file"), count=memo_json_tokens()) as ant,
    ):
        proxy = await make_proxy(
            settings(
                {
                    "oai": {"base_url": oai.base_url, "api": "openai", "api_key_env": None},
                    "ant": {"base_url": ant.base_url, "api": "anthropic", "api_key_env": None},
                },
                tmp_path,
            )
        )
        # The same task for every agent (as MassGen sends it): only the agent id tells them apart.
        task = "Audit the repository and list every request id you find."
        compressed: dict[str, int] = {}

        def history(marker: str, style: int) -> list[str]:
            return [output(marker, t, style, 24) for t in range(22)]  # 1.3–1.8 × the window

        async def chat_agent(a: int) -> None:
            marker = f"AGENT{a:02d}X"
            client = sdk.openai(f"{proxy.url}/agent/a{a}/oai", api_key="k")
            messages: list[dict[str, Any]] = [{"role": "system", "content": "Coding agent."}]
            messages.append({"role": "user", "content": task})
            for t, text in enumerate(history(marker, a % 3)):
                call = {
                    "id": f"{marker}c{t}",
                    "type": "function",
                    "function": {"name": "read_file", "arguments": "{}"},
                }
                messages.append({"role": "assistant", "content": None, "tool_calls": [call]})
                messages.append({"role": "tool", "tool_call_id": f"{marker}c{t}", "content": text})
            for turn in range(turns):
                raw = await client.chat.completions.with_raw_response.create(
                    model=MODEL,
                    messages=[],
                    tools=TOOLS_OAI,  # type: ignore[arg-type]
                    max_tokens=MAX_OUT,
                    extra_headers={"x-test-agent": marker},
                    extra_body={"messages": messages},  # see SDK_BYPASS
                )
                compressed[marker] = compressed.get(marker, 0) + (raw.headers["x-ctxproxy-compressed"] == "1")
                msg = raw.parse().choices[0].message
                messages.append(msg.model_dump(exclude_none=True))
                for call in msg.tool_calls or []:
                    text = output(marker, 100 + turn, a % 3, 12)
                    messages.append({"role": "tool", "tool_call_id": call.id, "content": text})

        async def anthropic_agent(a: int) -> None:
            marker = f"AGENT{a:02d}X"
            client = sdk.anthropic(f"{proxy.url}/agent/a{a}/ant", api_key="k")
            messages: list[dict[str, Any]] = [{"role": "user", "content": task}]
            for t, text in enumerate(history(marker, a % 3)):
                use = {"type": "tool_use", "id": f"{marker}u{t}", "name": "read_file", "input": {}}
                messages.append({"role": "assistant", "content": [use]})
                result = {"type": "tool_result", "tool_use_id": f"{marker}u{t}", "content": text}
                messages.append({"role": "user", "content": [result]})
            for turn in range(turns):
                raw = await client.messages.with_raw_response.create(
                    model=MODEL,
                    max_tokens=MAX_OUT,
                    system="Coding agent.",
                    tools=TOOLS_ANT,  # type: ignore[arg-type]
                    messages=[],
                    extra_headers={"x-test-agent": marker},
                    extra_body={"messages": messages},  # see SDK_BYPASS
                )
                compressed[marker] = compressed.get(marker, 0) + (raw.headers["x-ctxproxy-compressed"] == "1")
                answer_tools(messages, await _parsed(raw), output(marker, 100 + turn, a % 3, 12))

        await asyncio.gather(*(chat_agent(a) if a % 2 == 0 else anthropic_agent(a) for a in range(agents)))

        for fake in (oai, ant):
            assert fake.invalid == [], [r.error for r in fake.invalid[:3]]
            assert fake.overflows == [], f"{len(fake.overflows)} requests over the window"
        assert len(oai.requests) + len(ant.requests) == agents * turns
        short = {m: n for m, n in compressed.items() if n < turns}
        assert len(compressed) == agents and not short, short
        for rec in [*oai.requests, *ant.requests]:
            own = rec.headers["x-test-agent"]
            text = rec.raw.decode()
            others = {m for m in (f"AGENT{a:02d}X" for a in range(agents)) if m != own and m in text}
            assert not others, f"{own}'s request holds content of {sorted(others)}"
            assert own in text
