"""The simulated multi-agent session of ``bench_live.py``: four agents, each a tool loop
resending its whole history every turn into a 32k window, through the real compression hooks.
Per agent it measures the compactions, how often a compressed request keeps the previous one
as its exact prefix, the cacheable prefix share, the tokens before and after, and the cost
against sending the whole history; ``LOOP_HEAD`` names the columns of its table."""

from __future__ import annotations

import statistics
from pathlib import Path

import orjson

from tests.bench._live_harness import chat_request, conversation, make_hooks, settings_for, tool_text
from tests.bench.replay.sessions import Meter, pricings


async def multi_agent(tmp: Path, turns: int, model: str = "bench-32k") -> list[tuple[str, ...]]:
    """4 agents, each a tool loop resending its whole history every turn, into a 32k window."""
    settings = settings_for(tmp)
    anthropic, openai = pricings()
    bills = {
        a: (Meter(anthropic, openai), Meter(anthropic, openai))
        for a in ("agent_a", "agent_b", "agent_c", "agent_d")
    }
    hooks = await make_hooks(settings)
    # lines per tool output; agent_d adds about 14 % of the budget per turn
    agents = {"agent_a": 40, "agent_b": 25, "agent_c": 60, "agent_d": 110}
    history = {a: conversation(0, 0, task=f"Shared task: audit the services. ({a})") for a in agents}
    last_sent: dict[str, list[bytes]] = {}
    stable = {a: 0 for a in agents}
    compared = {a: 0 for a in agents}
    # cacheable prefix share: of the previous request's serialized messages, the share the
    # request repeats as its exact prefix, from the agent's first compaction on (the mean over
    # requests; and token-weighted: Σ repeated ÷ Σ previous)
    share = {a: [0, 0] for a in agents}
    shares: dict[str, list[float]] = {a: [] for a in agents}  # per request: prefix ÷ previous
    growth = {a: 0 for a in agents}
    for t in range(turns):
        for agent, lines in agents.items():
            msgs = history[agent]
            call = f"call_{t}"
            msgs.append(
                {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {"id": call, "type": "function", "function": {"name": "read_file", "arguments": "{}"}}
                    ],
                }
            )
            msgs.append({"role": "tool", "tool_call_id": call, "content": tool_text(t, lines)})
            req = chat_request(settings, {"model": model, "messages": msgs, "max_tokens": 1024}, agent)
            prepared = await hooks.prepare(req)
            prepared.flush()  # the stats the forwarder records once the request went upstream
            sent_msgs = orjson.loads(prepared.body)["messages"]
            sent = [orjson.dumps(m) for m in sent_msgs]
            bills[agent][0].bill(sent_msgs, [], False)
            bills[agent][1].bill(msgs, [], False)
            prev = last_sent.get(agent)
            if t <= 1:  # tokens one turn adds (the count's difference between turns 1 and 2)
                growth[agent] = (
                    hooks.compactor.counter.count_request("openai-chat", req.body, model) - growth[agent]
                )
            if prev is not None and prepared.headers.get("x-ctxproxy-compressed") == "1":
                compared[agent] += 1
                stable[agent] += sent[: len(prev)] == prev
            if prev is not None and (share[agent][1] or prepared.headers.get("x-ctxproxy-compressed") == "1"):
                common, size = common_prefix(sent, prev), sum(len(b) for b in prev)
                share[agent][0] += common
                share[agent][1] += size
                shares[agent].append(common / max(1, size))
            last_sent[agent] = sent
    view = hooks.stats.view()["agents"]
    budget = hooks.compactor.policy(model, None).budget(32_768, None, 1024)
    rows = []
    for agent in agents:
        v = view[agent]
        rows.append(
            (
                agent,
                str(turns),
                str(v["compactions"]),
                str(v["fresh_compactions"]),
                f"{100 * v['fresh_compactions'] / turns:.1f}",
                f"{100 * stable[agent] / max(1, compared[agent]):.1f} %",
                f"{statistics.fmean(shares[agent] or [0.0]):.3f}",
                f"{share[agent][0] / max(1, share[agent][1]):.3f}",
                f"{100 * growth[agent] / budget:.0f} %",
                f"{v['tokens_before'] / max(1, v['counted']):,.0f} → {v['tokens_after'] / max(1, v['counted']):,.0f}",
                f"{bills[agent][0].usd_anthropic / bills[agent][1].usd_anthropic:.2f}×",
                f"{bills[agent][0].usd_openai / bills[agent][1].usd_openai:.2f}×",
            )
        )
    return rows


LOOP_HEAD = (
    "agent",
    "turns",
    "compressed requests",
    "fresh compactions",
    "compactions per 100 turns",
    "cache-stable prefix rate",
    "cacheable prefix share",
    "token-weighted",
    "growth per turn (share of the budget)",
    "avg tokens before → after (counted requests)",
    "cost ÷ whole (Anthropic)",
    "cost ÷ whole (OpenAI)",
)


def common_prefix(now: list[bytes], prev: list[bytes]) -> int:
    """Bytes of the serialized messages ``now`` shares with ``prev`` as an exact prefix."""
    n = 0
    for a, b in zip(now, prev, strict=False):
        if a != b:
            k = 0
            while k < min(len(a), len(b)) and a[k] == b[k]:
                k += 1
            return n + k
        n += len(a)
    return n
