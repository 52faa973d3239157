"""The proven bound behind "certainly under the trigger": no tokenizer, no walk over the texts.

A text token covers at least one byte of the body, and an image or file part costs its API's
flat price however few bytes it takes, so ``(body bytes + parts × price per part) × the model's
token factor`` is at least any estimate the compactor could make of the body. The caller brings
the request's own output limit and the part count, read from a parsed body or from its bytes
(:mod:`proxy.server.skim`): both read the same fields the same way.
"""

from __future__ import annotations

from collections.abc import Callable

from proxy.compress.limits import Limits, reserve_for
from proxy.compress.policy import Policy


def under_bound(
    policy: Policy,
    limits: Limits,
    asked_output: int | None,
    size: int,
    share: float,
    factor: float,
    part_price: int,
    parts: Callable[[], int],
) -> bool:
    """True when ``size`` bytes with ``parts()`` image/file parts are certainly within ``share``
    of the input budget. ``parts`` is called only when the bytes alone fit."""
    budget = policy.budget(limits.context_window, limits.max_input_tokens, reserve_for(asked_output, limits))
    limit = share * budget
    if size * factor > limit:  # too big to decide without counting
        return False
    return (size + parts() * part_price) * factor <= limit
