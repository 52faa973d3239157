"""One base URL for every provider: bare ``/v1`` routed by the model's provider prefix.

``POST /v1/chat/completions`` (or ``/v1/responses``) with ``"model": "groq/llama-3.3-70b-versatile"``
goes to the ``groq`` upstream with ``"model": "llama-3.3-70b-versatile"``. The prefix names an
upstream directly, or through ``model_prefixes`` (``anthropic`` → ``anthropic-openai``, Anthropic's
OpenAI-compatible endpoint). A model without a known prefix (``gpt-4o``, ``meta-llama/…`` on an
OpenRouter default) goes to ``default_upstream`` unchanged.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import orjson

from proxy.server.routing import Route
from proxy.server.upstreams import Upstream, UpstreamRegistry
from proxy.wire import CHAT_APIS
from proxy.wire.families import get_family

# bare /v1 speaks the OpenAI wire format: only OpenAI-family chat APIs route by model prefix
_PREFIXED_APIS = tuple(
    name for name, chat_api in CHAT_APIS.items() if get_family(chat_api.family).speaks_openai_format
)


def prefixed_upstream(
    registry: UpstreamRegistry, prefixes: Mapping[str, str], model: str
) -> tuple[Upstream, str] | None:
    """(upstream, model without the prefix) when ``model`` starts with a routable prefix."""
    prefix, sep, rest = model.partition("/")
    if not sep or not prefix or not rest:
        return None
    upstream = registry.get(prefixes.get(prefix, prefix))
    if upstream is None or not get_family(upstream.api).speaks_openai_format:  # bare /v1 is OpenAI's
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


_WS = b" \t\r\n"


def _value_starts(raw: bytes) -> list[int]:
    """Where the value of every ``"model":`` key starts (``bytes.find`` runs at memchr speed)."""
    out, at = [], raw.find(b'"model"')
    while at >= 0:
        i = at + 7
        while i < len(raw) and raw[i] in _WS:
            i += 1
        if i < len(raw) and raw[i] == 0x3A:  # ':'
            i += 1
            while i < len(raw) and raw[i] in _WS:
                i += 1
            out.append(i)
        at = raw.find(b'"model"', at + 7)
    return out


def replace_model(raw: bytes, old: str, new: str, new_body: dict[str, Any]) -> bytes:
    """``raw`` with only the top-level model value replaced; a full re-render when that value
    cannot be located for certain (then only whitespace and escaping change).

    A ``"model":`` match can only be an object key: inside a JSON string every quote is
    escaped. When the body has exactly one such key, it is the top-level one the client set.
    """
    encoded, replacement = orjson.dumps(old), orjson.dumps(new)
    keys = _value_starts(raw)
    if len(keys) == 1:  # the usual body: no parse needed
        if raw.startswith(encoded, keys[0]):
            return raw[: keys[0]] + replacement + raw[keys[0] + len(encoded) :]
        return orjson.dumps(new_body)
    # Nested "model" keys too (tool schemas, metadata): swap the one with the routed value,
    # then make sure it was the top-level one.
    hits = [k for k in keys if raw.startswith(encoded, k)]
    if len(hits) == 1:
        out = raw[: hits[0]] + replacement + raw[hits[0] + len(encoded) :]
        if orjson.loads(out).get("model") == new:
            return out
    return orjson.dumps(new_body)
