"""The compactor engine: token counting, policy, stages, summarizers and compaction state.

Stable API for the proxy::

    compactor = Compactor(settings.compression, kv=kv, counter=TokenCounter(), summarizer=None)
    result = await compactor.compress(body, api, model, context_window, max_input_tokens,
                                      default_max_output, agent, force_target=None)
"""

from __future__ import annotations

from proxy.compress.compactor import Compactor
from proxy.compress.extractive import ExtractiveSummarizer
from proxy.compress.invariants import new_violations, violations
from proxy.compress.policy import PRESETS, Policy, resolve_policy
from proxy.compress.result import CompactionResult
from proxy.compress.state import CompactionState, StateStore
from proxy.compress.summarizer import SUMMARY_HEADER, DroppedMessage, Summarizer, SummaryRequest
from proxy.compress.tokens import TokenCounter

__all__ = [
    "PRESETS",
    "SUMMARY_HEADER",
    "CompactionResult",
    "CompactionState",
    "Compactor",
    "DroppedMessage",
    "ExtractiveSummarizer",
    "Policy",
    "StateStore",
    "Summarizer",
    "SummaryRequest",
    "TokenCounter",
    "new_violations",
    "resolve_policy",
    "violations",
]
