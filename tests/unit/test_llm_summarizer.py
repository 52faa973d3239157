"""The LLM summarizer's safety nets, against a fake in-process backend."""

from __future__ import annotations

import asyncio

import pytest

from proxy.compress.digest import HEADER as DIGEST_HEADER
from proxy.compress.llm_summarizer import SECTIONS, SYSTEM_PROMPT, Completion, LLMSummarizer, split_previous
from proxy.compress.summarizer import SUMMARY_HEADER, DroppedMessage, SummaryRequest
from proxy.config import SummarizerSettings
from proxy.storage import MemoryKV


class FakeBackend:
    mode = "llm"

    def __init__(self, delay: float = 0.0, fail: bool = False) -> None:
        self.delay = delay
        self.fail = fail
        self.prompts: list[str] = []
        self.limits: list[int] = []

    async def complete(
        self, system: str, prompt: str, max_tokens: int, request: SummaryRequest
    ) -> Completion:
        self.prompts.append(prompt)
        self.limits.append(max_tokens)
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.fail:
            raise RuntimeError("upstream 500")
        body = "\n".join(f"## {s}\n- from call {len(self.prompts)}" for s in SECTIONS)
        return Completion(body, input_tokens=len(prompt) // 4, output_tokens=50, cost_usd=0.001)


def req(texts: list[str], previous: str | None = None, key: str | None = None) -> SummaryRequest:
    dropped = tuple(
        DroppedMessage("tool" if i % 2 else "user", t, "read_file" if i % 2 else None)
        for i, t in enumerate(texts)
    )
    return SummaryRequest(
        previous,
        dropped,
        400,
        "gpt-4o",
        "agent_a",
        key if key is not None else str(hash((previous, tuple(texts)))),
    )


def summarizer(backend: FakeBackend, **kw: object) -> LLMSummarizer:
    settings = SummarizerSettings(
        mode="llm",
        model="x",
        timeout_s=float(kw.pop("timeout_s", 5.0)),  # type: ignore[arg-type]
        failure_threshold=int(kw.pop("failure_threshold", 3)),  # type: ignore[call-overload]
        cooldown_s=float(kw.pop("cooldown_s", 60.0)),
    )  # type: ignore[arg-type]
    return LLMSummarizer(backend, settings, kv=MemoryKV(), **kw)  # type: ignore[arg-type]


async def test_anchored_incremental_merge_keeps_artifact_trail() -> None:
    backend = FakeBackend()
    s = summarizer(backend)
    first = await s.summarize(req(["Fix the bug in src/app/main.py", "Error: KeyError 'user_id' at line 42"]))
    assert first.startswith(f"{SUMMARY_HEADER} (2 messages compacted)")
    assert all(f"## {sec}" in first for sec in SECTIONS)
    assert "Artifacts: " in first and "src/app/main.py" in first
    second = await s.summarize(req(["Deploy to https://staging.example.com/v2"], previous=first))
    assert second.startswith(f"{SUMMARY_HEADER} (3 messages compacted)")
    count, _body, arts = split_previous(first)
    assert count == 2 and "src/app/main.py" in arts
    # the model is given the previous summary's body (not regenerated from the whole history)
    assert "PREVIOUS SUMMARY:\n## Task and intent\n- from call 1" in backend.prompts[1]
    assert "Fix the bug" not in backend.prompts[1]
    assert "src/app/main.py" in second and "https://staging.example.com/v2" in second  # trail merged


async def test_cache_hit_by_content_address() -> None:
    backend = FakeBackend()
    s = summarizer(backend)
    a = await s.summarize(req(["same span"], key="k1"))
    b = await s.summarize(req(["same span"], key="k1"))
    assert a == b and len(backend.prompts) == 1


async def test_timeout_falls_back_to_extractive() -> None:
    outcomes: list[str] = []
    s = summarizer(FakeBackend(delay=1.0), timeout_s=0.05, on_outcome=outcomes.append)
    text = await s.summarize(req(["The deploy failed with error 503 on host db-7."]))
    assert "(1 message compacted)" in text.splitlines()[-1] and "503" in text  # the offline digest
    assert outcomes == ["timeout"]


async def test_single_flight_under_concurrency() -> None:
    backend = FakeBackend(delay=0.05)
    s = summarizer(backend)
    results = await asyncio.gather(*(s.summarize(req(["shared span"], key="k2")) for _ in range(8)))
    assert len(set(results)) == 1
    assert len(backend.prompts) == 1


async def test_circuit_breaker_opens_and_recovers() -> None:
    now = [0.0]
    backend = FakeBackend(fail=True)
    s = summarizer(backend, failure_threshold=2, cooldown_s=30.0, clock=lambda: now[0])
    for i in range(2):
        await s.summarize(req([f"span {i}"]))
    assert len(backend.prompts) == 2 and s.breaker.open
    text = await s.summarize(req(["span 3"]))
    assert len(backend.prompts) == 2 and text.startswith(DIGEST_HEADER)  # skipped the LLM
    now[0] = 31.0
    backend.fail = False
    text = await s.summarize(req(["span 4"]))
    assert len(backend.prompts) == 3 and "## Decisions" in text and not s.breaker.open


async def test_spend_is_metered() -> None:
    spent: list[Completion] = []
    s = summarizer(FakeBackend(), on_spend=lambda r, c: spent.append(c))
    await s.summarize(req(["x" * 400]))
    assert spent and spent[0].output_tokens == 50 and spent[0].cost_usd == pytest.approx(0.001)


async def test_waits_for_the_replica_holding_the_lease() -> None:
    kv = MemoryKV()
    backend = FakeBackend()
    s = LLMSummarizer(backend, SummarizerSettings(mode="llm", model="x", timeout_s=2.0), kv=kv)
    request = req(["span computed elsewhere"], key="k9")
    assert await kv.set_nx("lease:summary:llm:k9", b"1", ttl_s=30)  # another replica took it

    async def other_replica_finishes() -> None:
        await asyncio.sleep(0.2)
        await kv.set("summary:llm:k9", b"FROM-OTHER-REPLICA")

    task = asyncio.create_task(other_replica_finishes())
    assert await s.summarize(request) == "FROM-OTHER-REPLICA"
    await task
    assert backend.prompts == []


async def test_prompt_asks_for_attribution_and_names_numbers_it_dropped_are_appended() -> None:
    backend = FakeBackend()  # its summary mentions none of the span's names or numbers
    s = summarizer(backend)
    text = await s.summarize(
        SummaryRequest(
            None,
            (
                DroppedMessage(
                    "user", "We met Priya Raman in Lisbon on 3 March, the budget is 4200 EUR.", speaker="Dana"
                ),
            ),
            400,
            "gpt-4o",
        )
    )
    assert "who said it" in SYSTEM_PROMPT and "[3 Mar 2024] Dana:" in SYSTEM_PROMPT
    assert "[Dana]" in backend.prompts[0]  # the speaker, not just the role
    extra = next(line for line in text.splitlines() if line.startswith("Also mentioned: "))
    trail = next(line for line in text.splitlines() if line.startswith("Artifacts: "))
    for term in ("Priya", "Raman", "Lisbon", "March", "EUR"):
        assert term in extra
    assert "4200" in trail and "4200" not in extra  # already kept by the artifact trail
    assert text.startswith(f"{SUMMARY_HEADER} (1 message compacted)")


async def test_output_is_capped_by_the_summarizer_max_tokens() -> None:
    backend = FakeBackend()
    s = summarizer(backend)  # summarizer.max_tokens: 1024 (the default)
    await s.summarize(SummaryRequest(None, (DroppedMessage("user", "hello there"),), 40_000, "gpt-4o"))
    await s.summarize(SummaryRequest(None, (DroppedMessage("user", "again"),), 300, "gpt-4o"))
    assert backend.limits == [1024, 300]
    assert "at most 1024 tokens" in backend.prompts[0] and "at most 300 tokens" in backend.prompts[1]
