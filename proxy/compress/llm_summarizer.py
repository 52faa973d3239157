"""The LLM summarizer: a structured anchored summary, merged incrementally, failing safe.

Modes (``compression.summarizer.mode``):

- ``llm``: a configured model through ``litellm.acompletion`` (litellm is imported off the
  event loop, once, at start-up, only in this mode);
- ``upstream``: the request's own upstream and credentials, with a cheaper model of the same
  provider (``upstreams.<name>.summary_model``), spoken in that upstream's API.

Around the call: summaries cached by content address (shared by every agent that drops the
same span), concurrent requests for one span wait for one computation (single-flight, plus a
KV lease across replicas), a timeout or error falls back to the extractive summary, and a
circuit breaker skips the LLM for ``cooldown_s`` after ``failure_threshold`` failures in a row.
The deterministic artifact trail of the extractive summarizer is appended verbatim.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from proxy.compress import salient
from proxy.compress.extractive import ExtractiveSummarizer
from proxy.compress.summarizer import SummaryRequest
from proxy.compress.summary_format import (
    ALSO_MENTIONED,
    MAX_ARTIFACTS,
    SUMMARY_HEADER,
    artifacts_line,
    count_line,
    parse_summary,
)
from proxy.compress.units import STOPWORDS
from proxy.config import SummarizerSettings
from proxy.storage.base import KV

SECTIONS = (
    "Task and intent",
    "Each agent's latest position",
    "Decisions",
    "Facts and numbers",
    "Files, paths, URLs, ids",
    "Errors",
    "Open items",
)
SYSTEM_PROMPT = (
    "You maintain the running summary of an AI agent conversation whose older messages are being "
    "removed from the context window. Merge the PREVIOUS SUMMARY with the NEWLY REMOVED MESSAGES into "
    "one updated summary. Keep every concrete fact a later turn may need: numbers, names, dates, file "
    "paths, URLs, identifiers, error messages, decisions and their reasons, unanswered questions. Drop "
    "chit-chat and anything superseded. Never invent facts. Attribute every fact: who said it (the "
    "speaker's name, role or agent id) and when (the session date or timestamp, if the messages give "
    "one), e.g. '- [3 Mar 2024] Dana: took up the cello four years ago'. Cover the whole removed span, "
    "oldest first, not only its last part. Keep negations ('not', 'never', 'no longer'). Write terse "
    "bullet points under exactly these headings, in this order (write '- none' under an empty one):\n"
    + "\n".join(f"## {s}" for s in SECTIONS)
)
_MAX_PROMPT_CHARS = 120_000
_MAX_MISSING = 40


@dataclass(frozen=True)
class Completion:
    text: str
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0


class SummaryBackend(Protocol):
    mode: str

    async def complete(
        self, system: str, prompt: str, max_tokens: int, request: SummaryRequest
    ) -> Completion: ...


SpendHook = Callable[[SummaryRequest, Completion], None]


class CircuitOpen(Exception):
    """The LLM failed too often lately: extractive summaries until the cool-down ends."""


class CircuitBreaker:
    def __init__(
        self, threshold: int, cooldown_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.threshold = max(1, threshold)
        self.cooldown_s = cooldown_s
        self._clock = clock
        self.failures = 0
        self.opened_at: float | None = None

    @property
    def open(self) -> bool:
        if self.opened_at is None:
            return False
        if self._clock() - self.opened_at >= self.cooldown_s:
            self.opened_at = None  # half-open: the next call is a trial
            self.failures = self.threshold - 1
            return False
        return True

    def success(self) -> None:
        self.failures = 0
        self.opened_at = None

    def failure(self) -> None:
        self.failures += 1
        if self.failures >= self.threshold:
            self.opened_at = self._clock()


def split_previous(previous: str | None) -> tuple[int, str, list[str]]:
    """(messages compacted so far, the summary body without header/trail, artifacts)."""
    parts = parse_summary(previous)  # an "Also mentioned:" line stays in the body: the model merges it
    return parts.count, "\n".join(parts.lines).strip(), parts.artifacts


def build_prompt(request: SummaryRequest, previous_body: str, max_tokens: int | None = None) -> str:
    budget = _MAX_PROMPT_CHARS - len(previous_body)
    per_message = max(400, budget // max(1, len(request.dropped)))
    lines = []
    for msg in request.dropped:
        who = msg.speaker or (f"tool {msg.tool_name}" if msg.tool_name else msg.role)
        text = msg.text
        if len(text) > per_message:
            half = per_message // 2
            text = f"{text[:half]}\n[… {len(text) - per_message} chars omitted …]\n{text[-half:]}"
        lines.append(f"[{who}]\n{text}")
    return (
        f"PREVIOUS SUMMARY:\n{previous_body or '(none yet)'}\n\n"
        f"NEWLY REMOVED MESSAGES (oldest first):\n" + "\n\n".join(lines) + "\n\n"
        f"Write the updated summary in at most {max_tokens or request.max_tokens} tokens: use that room to keep the "
        f"facts of every part of the span, each with its speaker and date."
    )


def key_terms(request: SummaryRequest) -> list[str]:
    """Names and numbers the offline digest would keep from the dropped span: capitalised words
    inside a sentence and anything with a digit (what a summary must not lose)."""
    terms: list[str] = []
    seen: set[str] = set()
    for msg in request.dropped:
        for sentence in salient.sentences(msg.text):
            for i, tok in enumerate(sentence.split()):
                w = tok.strip(".,;:!?()[]{}<>\"'`*“”‘’")
                low = w.lower()
                if len(w) < 2 or low in seen or low in STOPWORDS:
                    continue
                if any(c.isdigit() for c in w) or (
                    i > 0 and w[0].isupper() and (w[1:].islower() or w.isupper())
                ):
                    seen.add(low)
                    terms.append(w)
    return terms


def missing_terms(request: SummaryRequest, text: str) -> list[str]:
    """The digest's names and numbers the LLM's summary left out (checked case-insensitively)."""
    low = text.lower()
    return [t for t in key_terms(request) if t.lower() not in low][:_MAX_MISSING]


def assemble(request: SummaryRequest, llm_text: str, count: int, arts: list[str]) -> str:
    """Header + the model's structured body + the deterministic artifact trail."""
    for msg in request.dropped:
        for a in salient.artifacts(msg.text, limit=8):
            if a not in arts:
                arts.append(a)
    arts = arts[-MAX_ARTIFACTS:]
    total = count + len(request.dropped)
    parts = [f"{SUMMARY_HEADER} {count_line(total)}", llm_text.strip()]
    missing = missing_terms(request, "\n".join([llm_text, *arts]))
    if missing:
        parts.append(ALSO_MENTIONED + ", ".join(missing))
    if arts:
        parts.append(artifacts_line(arts))
    return "\n".join(parts)


class LLMSummarizer:
    """A :class:`~proxy.compress.summarizer.Summarizer` backed by an LLM, with every safety net."""

    def __init__(
        self,
        backend: SummaryBackend,
        settings: SummarizerSettings,
        *,
        kv: KV | None = None,
        on_spend: SpendHook | None = None,
        on_outcome: Callable[[str], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.backend = backend
        self.name = backend.mode
        self.settings = settings
        self.kv = kv
        self.fallback = ExtractiveSummarizer()
        self.breaker = CircuitBreaker(settings.failure_threshold, settings.cooldown_s, clock)
        self._inflight: dict[str, asyncio.Future[str]] = {}
        self._on_spend = on_spend
        self._on_outcome = on_outcome
        self.calls = 0  # LLM calls actually made (tests and stats)

    def _outcome(self, outcome: str) -> None:
        if self._on_outcome is not None:
            self._on_outcome(outcome)

    async def summarize(self, request: SummaryRequest) -> str:
        cache_key = f"summary:{self.name}:{request.key}" if request.key else ""
        if cache_key and self.kv is not None:
            cached = await self.kv.get(cache_key)
            if cached is not None:
                self._outcome("cached")
                return cached.decode()
        if cache_key and cache_key in self._inflight:
            self._outcome("joined")
            return await asyncio.shield(self._inflight[cache_key])
        future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        if cache_key:
            self._inflight[cache_key] = future
        try:
            text = await self._wait_for_other_replica(cache_key) or await self._compute(request, cache_key)
            future.set_result(text)
            return text
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # mark retrieved: joiners re-raise it themselves
            raise
        finally:
            if cache_key:
                self._inflight.pop(cache_key, None)

    async def _wait_for_other_replica(self, cache_key: str) -> str | None:
        """Another replica holds the lease for this span: wait for its result (bounded)."""
        if not cache_key or self.kv is None:
            return None
        lease_ttl = self.settings.timeout_s + 5.0
        if await self.kv.set_nx(f"lease:{cache_key}", b"1", ttl_s=lease_ttl):
            return None
        deadline = time.monotonic() + self.settings.timeout_s
        while time.monotonic() < deadline:
            await asyncio.sleep(0.1)
            cached = await self.kv.get(cache_key)
            if cached is not None:
                self._outcome("joined")
                return cached.decode()
        return None  # the other replica never finished: compute it here

    async def _compute(self, request: SummaryRequest, cache_key: str) -> str:
        if self.breaker.open:
            self._outcome("circuit_open")
            return await self.fallback.summarize(request)
        count, previous_body, arts = split_previous(request.previous)
        # The summary's share of the target, within the model's output cap
        # (compression.summarizer.max_tokens): a share can exceed what a model may write.
        limit = max(1, min(request.max_tokens, self.settings.max_tokens))
        prompt = build_prompt(request, previous_body, limit)
        try:
            self.calls += 1
            completion = await asyncio.wait_for(
                self.backend.complete(SYSTEM_PROMPT, prompt, limit, request),
                timeout=self.settings.timeout_s,
            )
            if not completion.text.strip():
                raise ValueError("empty summary")
        except TimeoutError:
            self.breaker.failure()
            self._outcome("timeout")
            return await self.fallback.summarize(request)
        except Exception:
            self.breaker.failure()
            self._outcome("error")
            return await self.fallback.summarize(request)
        self.breaker.success()
        self._outcome("ok")
        if self._on_spend is not None:
            self._on_spend(request, completion)
        text = assemble(request, completion.text, count, list(arts))
        if cache_key and self.kv is not None:
            await self.kv.set(cache_key, text.encode())
        return text
