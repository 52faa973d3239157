"""A model's limits and the one input budget every path computes from them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from proxy.compress.policy import Policy
    from proxy.wire.base import ChatAPI

DEFAULT_RESERVED_OUTPUT = 4096  # when neither the request nor the catalog says
OUTPUT_SHARE_DIVISOR = 8  # a default reserve takes at most 1/8 of the window


@dataclass(frozen=True)
class Limits:
    context_window: int
    max_input_tokens: int | None
    max_output_tokens: int | None  # the model's maximum output (catalog), not the request's
    unknown: bool = False  # the catalog had no entry: defaults in use


def reserved_output(chat_api: ChatAPI, body: dict[str, Any], limits: Limits) -> int:
    """Output tokens to keep free. The request's own output limit counts in full; a catalog
    default (a model's *maximum* output, often 16k–128k, which a request that sets no limit
    seldom writes) is capped at an eighth of the window, or a small or learned window would
    leave little room for input (and a compaction would keep less than its preset says)."""
    return reserve_for(chat_api.reserved_output(body), limits)


def reserve_for(asked: int | None, limits: Limits) -> int:
    """:func:`reserved_output` of a request that asked for ``asked`` output tokens (None: no limit)."""
    if asked:
        return asked
    return min(
        limits.max_output_tokens or DEFAULT_RESERVED_OUTPUT, limits.context_window // OUTPUT_SHARE_DIVISOR
    )


def input_budget(policy: Policy, chat_api: ChatAPI, body: dict[str, Any], limits: Limits) -> int:
    """Input tokens a request may send: the single formula for every path (compaction, the
    Responses chain's native compaction, the CLI)."""
    return policy.budget(
        limits.context_window, limits.max_input_tokens, reserved_output(chat_api, body, limits)
    )
