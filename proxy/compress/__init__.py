"""The compactor engine: token counting, policy, stages, summarizers and compaction state.

Stable API for the proxy::

    compactor = Compactor(settings.compression, kv=kv, counter=TokenCounter(), summarizer=None)
    decision = await compactor.decide(raw, body, api, model, Limits(window, max_input, max_output),
                                      agent, summary_to=None, force_target=None)
    compactor.record_usage(model, decision.tokens, provider_input_tokens, decision.factor)

The engine underneath (CLI, tests): ``await compactor.compress(body, api, model, limits, agent)``.
"""

from __future__ import annotations

from proxy.compress.compactor import Compactor
from proxy.compress.extractive import ExtractiveSummarizer
from proxy.compress.invariants import new_violations, violations
from proxy.compress.limits import Limits
from proxy.compress.policy import PRESETS, Policy, resolve_policy
from proxy.compress.result import CompactionResult, Decision, NativePlan
from proxy.compress.state import CompactionState, StateStore
from proxy.compress.summarizer import SUMMARY_HEADER, DroppedMessage, Summarizer, SummaryRequest, UpstreamCall
from proxy.compress.tokens import TokenCounter

__all__ = [
    "PRESETS",
    "SUMMARY_HEADER",
    "CompactionResult",
    "CompactionState",
    "Compactor",
    "Decision",
    "DroppedMessage",
    "ExtractiveSummarizer",
    "Limits",
    "NativePlan",
    "Policy",
    "StateStore",
    "Summarizer",
    "SummaryRequest",
    "TokenCounter",
    "UpstreamCall",
    "new_violations",
    "resolve_policy",
    "violations",
]
