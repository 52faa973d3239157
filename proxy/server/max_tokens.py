"""The cheapest retry: the input fits but input + requested output does not, so the request's
own output limit is lowered to what the window leaves (``x-ctxproxy-retried: max_tokens``)."""

from __future__ import annotations

import orjson

from proxy.server.hooks import ChatRequest, Prepared
from proxy.server.overflow import Overflow
from proxy.wire import get_adapter

MARGIN = 64  # tokens left unclaimed below the provider's limit


def lower_max_tokens(req: ChatRequest, prepared: Prepared, overflow: Overflow) -> Prepared | None:
    """``prepared`` with its output limit lowered to fit ``overflow``'s limit, or None when the
    error gives no numbers, the body has no integer limit, or lowering would not help."""
    if not overflow.limit or not overflow.prompt:
        return None
    new_max = overflow.limit - overflow.prompt - MARGIN
    body = orjson.loads(prepared.body)
    key = get_adapter(req.api).max_tokens_key(body)
    current = body.get(key) if key is not None else None
    if not isinstance(current, int) or isinstance(current, bool):
        return None  # null, "abc", [1]: not ours to fix; the provider's error goes back
    if new_max < 1 or new_max >= current:
        return None
    body[key] = new_max
    outcome = prepared.outcome.amend(retried="max_tokens", max_tokens=new_max)
    return Prepared(orjson.dumps(body), outcome, prepared.attempt)
