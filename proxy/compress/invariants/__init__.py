"""Per-API invariant validators (the provider rules in docs/compression.md).

``violations(api, body)`` returns a set of stable violation codes (``missing-result:call_1``).
The compactor accepts an output only if it adds no violation the input did not already have:
a client's own broken history is forwarded as broken, never made worse.
"""

from __future__ import annotations

from typing import Any

from proxy.wire import get_adapter


def violations(api: str, body: dict[str, Any]) -> set[str]:
    """Each chat API owns its rules (``ChatAPI.violations``); the rules live beside this module."""
    return get_adapter(api).violations(body)


def new_violations(api: str, before: dict[str, Any], after: dict[str, Any]) -> set[str]:
    """Violations present in ``after`` that ``before`` did not have."""
    return violations(api, after) - violations(api, before)


__all__ = ["new_violations", "violations"]
