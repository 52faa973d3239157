"""One base URL for every provider: bare ``/v1`` routed by the model's provider prefix.

``POST /v1/chat/completions`` (or ``/v1/responses``) with ``"model": "groq/llama-3.3-70b-versatile"``
goes to the ``groq`` upstream with ``"model": "llama-3.3-70b-versatile"``. The prefix names an
upstream directly, or through ``model_prefixes`` (``anthropic`` → ``anthropic-openai``, Anthropic's
OpenAI-compatible endpoint). A model without a known prefix (``gpt-4o``, ``meta-llama/…`` on an
OpenRouter default) goes to ``default_upstream`` unchanged.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any

import orjson

from proxy.server.routing import Route
from proxy.server.upstreams import Upstream, UpstreamRegistry

_PREFIXED_APIS = ("openai-chat", "openai-responses")


def prefixed_upstream(
    registry: UpstreamRegistry, prefixes: Mapping[str, str], model: str
) -> tuple[Upstream, str] | None:
    """(upstream, model without the prefix) when ``model`` starts with a routable prefix."""
    prefix, sep, rest = model.partition("/")
    if not sep or not prefix or not rest:
        return None
    upstream = registry.get(prefixes.get(prefix, prefix))
    if upstream is None or upstream.api != "openai":  # bare /v1 speaks the OpenAI wire format
        return None
    return upstream, rest


def route_by_model(
    registry: UpstreamRegistry,
    prefixes: Mapping[str, str],
    route: Route,
    raw: bytes,
    body: dict[str, Any],
) -> tuple[Route, bytes, dict[str, Any]]:
    """Re-route a bare ``/v1`` chat request by its model's prefix; anything else is returned as is."""
    if route.bare_v1_tail is None or route.chat_api not in _PREFIXED_APIS:
        return route, raw, body
    model = body.get("model")
    if not isinstance(model, str):
        return route, raw, body
    found = prefixed_upstream(registry, prefixes, model)
    if found is None:
        return route, raw, body
    upstream, bare_model = found
    # An OpenAI-format upstream's base_url is what the OpenAI SDK takes as base_url (…/v1,
    # …/v1beta/openai, …/openai/v1): the tail after /v1 goes right after it.
    new_route = dataclasses.replace(route, upstream=upstream, raw_tail=route.bare_v1_tail)
    new_body = {**body, "model": bare_model}
    return new_route, replace_model(raw, model, bare_model, new_body), new_body


def replace_model(raw: bytes, old: str, new: str, new_body: dict[str, Any]) -> bytes:
    """``raw`` with only the top-level model value replaced; a full re-render when the value
    cannot be found exactly once as the client wrote it (then only whitespace and escaping change).

    A ``"model": "<old>"`` match can only be an object key with its value: inside a JSON string
    every quote is escaped. Nested ``model`` keys make it ambiguous, hence the check after.
    """
    pattern = re.compile(rb'"model"\s*:\s*(' + re.escape(orjson.dumps(old)) + rb")")
    matches = list(pattern.finditer(raw))
    if len(matches) == 1:
        m = matches[0]
        out = raw[: m.start(1)] + orjson.dumps(new) + raw[m.end(1) :]
        try:
            if orjson.loads(out).get("model") == new:
                return out
        except orjson.JSONDecodeError:  # pragma: no cover - the swap keeps the JSON valid
            pass
    return orjson.dumps(new_body)
