"""MassGen end to end: a 2-agent, 2-turn session whose history overflows the model, through ctxproxy.

Run: ``make test-massgen`` (or ``.venv/bin/pytest -m massgen tests/e2e``). Needs the separate
MassGen venv (``make massgen-venv``); skipped with a reason when it is absent.

One interactive MassGen session, two questions. In turn 1 the strict fake (MassGen's
coordination script) makes the winner's final presentation a long report; turn 2 sends that
report back inside ``<CONVERSATION_HISTORY>``: its requests are about twice the fake model's
window. The proxy knows the window from a catalog override and
must compress so that MassGen finishes with a winner while the fake, which rejects anything
over its window or any invalid tool pairing with the provider's real errors, sees only valid,
fitting requests that still carry the task and the answer labels verbatim.
"""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from tests.e2e.massgen_harness import MASSGEN_BIN, Agent, MassgenSandbox, ProxyProcess
from tests.fakes.strict import OpenAIChatFake, Recorded, massgen
from tests.fakes.strict_tokens import json_tokens

pytestmark = [
    pytest.mark.massgen,
    pytest.mark.timeout(600),
    pytest.mark.skipif(
        not MASSGEN_BIN.exists(),
        reason=f"MassGen not installed at {MASSGEN_BIN} (make massgen-venv)",
    ),
]

WINDOW = 16_384  # the fake model's real window, and what the catalog override says
QUESTION_1 = "Review the quarterly infrastructure report and list the three biggest risks."
QUESTION_2 = "Given everything above, which single risk should we fix first, and why?"
SUMMARIZER_PROMPT = "You summarize conversations for context continuity."  # MassGen's own compression


def long_report(sections: int = 220) -> str:
    """A ~25k-token turn-1 answer: varied, number-rich text (what a real report looks like)."""
    parts = []
    for i in range(1, sections + 1):
        parts.append(
            f"## Finding {i}: subsystem-{i % 17} (ticket OPS-{4000 + i})\n"
            f"Latency p99 rose from {120 + i} ms to {180 + 3 * i} ms after deploy build-{9000 + 7 * i}. "
            f"Error budget burn {i % 9 + 1}.{i % 10}x; {i * 13 % 97} pages last week; owner team-{i % 5}. "
            f"Mitigation: roll back config /etc/svc/{i % 11}/limits.yaml, raise pool size to {32 + i % 64}, "
            f"add alert on queue depth > {500 + 25 * i}. Cost impact ${1000 + 37 * i} per month. "
            "Root cause analysis is pending; the dependency graph shows fan-out to storage and auth.\n"
        )
    return "\n".join(parts)


def coordination_requests(fake: OpenAIChatFake, question: str) -> list[Recorded]:
    return [r for r in fake.ok if f"<ORIGINAL MESSAGE> {question} <END OF ORIGINAL MESSAGE>" in _user_text(r)]


def _user_text(rec: Recorded) -> str:
    messages = rec.body.get("messages", []) if isinstance(rec.body, dict) else []
    return "\n".join(
        m.get("content") or ""
        for m in messages
        if m.get("role") == "user" and isinstance(m.get("content"), str)
    )


def proxy_config(fake: OpenAIChatFake, cache_dir: Path) -> dict[str, object]:
    limits = {"context_window": WINDOW, "max_output_tokens": 1024}
    return {
        "default_upstream": "fake",
        "upstreams": {"fake": {"base_url": fake.base_url, "api": "openai", "api_key_env": None}},
        "catalog": {
            "refresh_on_start": False,
            "sources": ["litellm"],
            "cache_dir": str(cache_dir),
            "overrides": {"fake-model-a": limits, "fake-model-b": limits},
        },
        "compression": {"strategy": "aggressive"},
        "logging": {"level": "warning"},
    }


async def test_massgen_talks_to_the_strict_fake_directly(tmp_path: Path) -> None:
    """Harness check without the proxy: real MassGen traffic is valid for the strict fake."""
    async with OpenAIChatFake(window=128_000) as fake:
        sandbox = MassgenSandbox(tmp_path)
        config = sandbox.write_config(
            "direct.yaml",
            [
                Agent("agent_a", "fake-model-a", fake.base_url),
                Agent("agent_b", "fake-model-b", fake.base_url),
            ],
        )
        run = await sandbox.run(config, "What is 2+2?")
    print(f"direct run: {run.seconds:.1f}s, {len(fake.requests)} requests")
    assert run.returncode == 0, run.output[-3000:]
    assert run.winners and run.winners[0] in ("agent_a", "agent_b")
    assert not fake.invalid and not fake.overflows
    assert all(r.stream and r.body["stream_options"] == {"include_usage": True} for r in fake.requests)
    tools = {t["function"]["name"] for r in fake.requests for t in r.body["tools"]}
    assert {"new_answer", "vote"} <= tools


async def test_two_turn_session_with_overflowing_history_completes_through_ctxproxy(tmp_path: Path) -> None:
    report = long_report()
    history_tokens = json_tokens(report)
    assert history_tokens > 1.4 * WINDOW  # turn 2 cannot fit without compression

    async with OpenAIChatFake(window=WINDOW, script=massgen(final=report)) as fake:
        async with ProxyProcess(proxy_config(fake, tmp_path / "catalog"), tmp_path) as proxy:
            sandbox = MassgenSandbox(tmp_path / "massgen")
            config = sandbox.write_config(
                "session.yaml",
                [
                    # tagged by path, and by header: the two config-only ways of massgen.md
                    Agent("agent_a", "fake-model-a", f"{proxy.url}/agent/agent_a/fake"),
                    Agent(
                        "agent_b",
                        "fake-model-b",
                        f"{proxy.url}/fake",
                        headers={"x-ctxproxy-agent": "agent_b"},
                    ),
                ],
            )
            run = await sandbox.run_session(config, [QUESTION_1, QUESTION_2])
            stats_status, stats = await proxy.get("/stats")
            _, metrics = await proxy.get("/metrics")
            proxy_log = proxy.log()

    print(f"2-turn session: {run.seconds:.1f}s, fake saw {len(fake.requests)} requests")
    assert run.returncode == 0, run.output[-3000:] + "\n--- proxy log ---\n" + proxy_log
    assert len(run.winners) == 2, run.output[-3000:] + "\n--- proxy log ---\n" + proxy_log
    assert "History: 1 previous exchanges" in run.output

    # The fake never had to refuse anything: no invalid request, nothing over the window,
    # and MassGen never fell back to its own reactive compression.
    assert not fake.invalid, [(r.path, r.error) for r in fake.invalid]
    assert not fake.overflows, [(r.input_tokens, r.error) for r in fake.overflows]
    assert not [r for r in fake.requests if SUMMARIZER_PROMPT in r.raw.decode(errors="replace")]

    # Turn 2 reached the model, compressed to fit, with the task and answer labels verbatim.
    turn2_requests = coordination_requests(fake, QUESTION_2)
    assert turn2_requests, "no turn-2 coordination request reached the fake"
    assert all(r.input_tokens <= WINDOW for r in turn2_requests)
    assert max(r.input_tokens for r in turn2_requests) < history_tokens
    voting = [r for r in turn2_requests if "<agent1.1>" in _user_text(r)]
    assert voting and all("<end of agent1.1>" in _user_text(r) for r in voting)

    # The proxy compressed, and accounted it per agent (tagged by path and by header).
    assert stats_status == 200
    agents = orjson.loads(stats)["agents"]
    for agent in ("agent_a", "agent_b"):
        assert agents[agent]["compactions"] >= 1, agents
        assert agents[agent]["tokens_after"] < agents[agent]["tokens_before"], agents
    compressions = [
        float(line.rsplit(" ", 1)[1])
        for line in metrics.splitlines()
        if line.startswith("ctxproxy_compressions_total{")
    ]
    assert sum(compressions) >= 2, [line for line in metrics.splitlines() if "compress" in line][:10]
