"""Bare /v1 routing by model prefix: which upstream, which URL, which bytes."""

from __future__ import annotations

import orjson
import pytest

from proxy.config import ConfigError, load_settings
from proxy.server.model_routes import replace_model, route_by_model
from proxy.server.routing import resolve
from proxy.server.upstreams import UpstreamRegistry


@pytest.fixture
def setup() -> tuple[UpstreamRegistry, dict[str, str]]:
    s = load_settings(environ={})
    return UpstreamRegistry(s.upstreams, s.server, environ={}), s.model_prefixes


@pytest.mark.parametrize(
    ("path", "model", "upstream", "url", "sent_model"),
    [
        (
            "/v1/chat/completions",
            "groq/llama-3.3-70b-versatile",
            "groq",
            "https://api.groq.com/openai/v1/chat/completions",
            "llama-3.3-70b-versatile",
        ),
        (
            "/v1/chat/completions",
            "anthropic/claude-sonnet-4-5",
            "anthropic-openai",
            "https://api.anthropic.com/v1/chat/completions",
            "claude-sonnet-4-5",
        ),
        (
            "/v1/chat/completions",
            "gemini/gemini-2.5-flash",
            "gemini",
            "https://generativelanguage.googleapis.com/v1beta/openai/chat/completions",
            "gemini-2.5-flash",
        ),
        (
            "/v1/chat/completions",
            "google/gemini-2.5-flash",
            "gemini",
            "https://generativelanguage.googleapis.com/v1beta/openai/chat/completions",
            "gemini-2.5-flash",
        ),
        (
            "/v1/responses",
            "openrouter/openai/gpt-4o",
            "openrouter",
            "https://openrouter.ai/api/v1/responses",
            "openai/gpt-4o",
        ),
        ("/v1/chat/completions", "gpt-4o", "openai", "https://api.openai.com/v1/chat/completions", "gpt-4o"),
        (
            "/v1/chat/completions",
            "meta-llama/llama-3",
            "openai",
            "https://api.openai.com/v1/chat/completions",
            "meta-llama/llama-3",
        ),
        # a prefix with nothing after it is no route
        ("/v1/chat/completions", "vllm/", "openai", "https://api.openai.com/v1/chat/completions", "vllm/"),
    ],
)
def test_route_by_model(
    setup: tuple[UpstreamRegistry, dict[str, str]],
    path: str,
    model: str,
    upstream: str,
    url: str,
    sent_model: str,
) -> None:
    registry, prefixes = setup
    route = resolve(registry, "openai", "POST", path)
    body = {"model": model, "messages": []}
    raw = orjson.dumps(body)
    new_route, new_raw, new_body = route_by_model(registry, prefixes, route, raw, body)
    assert new_route.upstream.name == upstream
    assert str(new_route.upstream.target(new_route.raw_tail, "")) == url
    assert new_body["model"] == sent_model == orjson.loads(new_raw)["model"]
    if sent_model == model:
        assert new_raw is raw  # untouched: the original bytes go out


def test_non_openai_prefix_target_is_not_routed(setup: tuple[UpstreamRegistry, dict[str, str]]) -> None:
    registry, _ = setup
    route = resolve(registry, "openai", "POST", "/v1/chat/completions")
    body = {"model": "anthropic/claude-sonnet-4-5"}
    # without the model_prefixes entry, "anthropic" names the native Messages API upstream
    new_route, _, new_body = route_by_model(registry, {}, route, orjson.dumps(body), body)
    assert new_route.upstream.name == "openai" and new_body["model"] == "anthropic/claude-sonnet-4-5"


def test_path_routes_are_not_rerouted(setup: tuple[UpstreamRegistry, dict[str, str]]) -> None:
    registry, prefixes = setup
    route = resolve(registry, "openai", "POST", "/openai/chat/completions")
    body = {"model": "groq/x"}
    new_route, _, new_body = route_by_model(registry, prefixes, route, orjson.dumps(body), body)
    assert new_route is route and new_body["model"] == "groq/x"


def test_replace_model_keeps_other_bytes() -> None:
    raw = b'{"stream":true,\n  "model":  "groq/a",\t"x": [1, 2 ,3]}'
    new = replace_model(raw, "groq/a", "a", {})
    assert new == b'{"stream":true,\n  "model":  "a",\t"x": [1, 2 ,3]}'


def test_replace_model_ambiguous_or_escaped_rerenders() -> None:
    body = {"model": "a", "tools": [{"model": "groq/a"}]}
    raw = b'{"model": "groq/a", "tools": [{"model": "groq/a"}]}'
    assert orjson.loads(replace_model(raw, "groq/a", "a", body)) == body
    raw = b'{"tools": [{"model": "groq/a"}], "model": "groq\\/a"}'  # top level escaped, nested not
    out = replace_model(raw, "groq/a", "a", body)
    assert orjson.loads(out) == body


def test_model_prefix_to_unknown_upstream_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"model_prefixes\.foo"):
        load_settings(environ={}, overrides={"model_prefixes": {"foo": "nope"}})
