"""Per-API invariant validators (the provider rules in docs/compression.md).

``violations(api, body)`` returns a set of stable violation codes (``missing-result:call_1``).
The compactor accepts an output only if it adds no violation the input did not already have:
a client's own broken history is forwarded as broken, never made worse.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from proxy.compress.invariants import anthropic, gemini, openai_chat, openai_responses

_VALIDATORS: dict[str, Callable[[dict[str, Any]], set[str]]] = {
    "openai-chat": openai_chat.violations,
    "openai-responses": openai_responses.violations,
    "anthropic": anthropic.violations,
    "gemini": gemini.violations,
}


def violations(api: str, body: dict[str, Any]) -> set[str]:
    return _VALIDATORS[api](body)


def new_violations(api: str, before: dict[str, Any], after: dict[str, Any]) -> set[str]:
    """Violations present in ``after`` that ``before`` did not have."""
    return violations(api, after) - violations(api, before)


__all__ = ["new_violations", "violations"]
