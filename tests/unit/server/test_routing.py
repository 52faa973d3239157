from __future__ import annotations

import pytest

from proxy.config import load_settings
from proxy.server.errors import ProxyError
from proxy.server.identity import fingerprint, resolve_agent
from proxy.server.routing import chat_api_for, resolve
from proxy.server.upstreams import UpstreamRegistry


@pytest.fixture
def registry() -> UpstreamRegistry:
    s = load_settings(environ={})
    return UpstreamRegistry(
        s.upstreams, s.server, environ={"OPENAI_API_KEY": "sk-op", "ANTHROPIC_API_KEY": "sk-an"}
    )


@pytest.mark.parametrize(
    ("path", "upstream", "url", "agent"),
    [
        ("/openai/chat/completions", "openai", "https://api.openai.com/v1/chat/completions", None),
        ("/anthropic/v1/messages", "anthropic", "https://api.anthropic.com/v1/messages", None),
        ("/groq/chat/completions", "groq", "https://api.groq.com/openai/v1/chat/completions", None),
        ("/v1/chat/completions", "openai", "https://api.openai.com/v1/chat/completions", None),
        ("/agent/a1/openai/responses", "openai", "https://api.openai.com/v1/responses", "a1"),
        ("/agent/a1/v1/models", "openai", "https://api.openai.com/v1/models", "a1"),
        (
            "/gemini/models/gemini-2.5-pro:generateContent",
            "gemini",
            "https://generativelanguage.googleapis.com/v1beta/openai/models/gemini-2.5-pro:generateContent",
            None,
        ),
    ],
)
def test_resolve(registry: UpstreamRegistry, path: str, upstream: str, url: str, agent: str | None) -> None:
    route = resolve(registry, "openai", "POST", path)
    assert route.upstream.name == upstream
    assert str(route.upstream.target(route.raw_tail, "")) == url
    assert route.path_agent == agent


def test_bare_v1_to_anthropic_default_keeps_v1(registry: UpstreamRegistry) -> None:
    route = resolve(registry, "anthropic", "POST", "/v1/messages")
    assert (
        str(route.upstream.target(route.raw_tail, "beta=true"))
        == "https://api.anthropic.com/v1/messages?beta=true"
    )
    assert route.chat_api == "anthropic" and route.error_shape == "anthropic"


def test_unknown_upstream(registry: UpstreamRegistry) -> None:
    with pytest.raises(ProxyError) as err:
        resolve(registry, "openai", "GET", "/nope/x")
    assert err.value.status == 404 and "openai" in err.value.message
    with pytest.raises(ProxyError):
        resolve(registry, "openai", "GET", "/agent/")


@pytest.mark.parametrize(
    ("method", "tail", "api"),
    [
        ("POST", "chat/completions", "openai-chat"),
        ("POST", "v1/chat/completions", "openai-chat"),
        ("POST", "responses", "openai-responses"),
        ("POST", "v1/messages", "anthropic"),
        ("POST", "v1beta/models/gemini-2.5-pro:streamGenerateContent", "gemini"),
        ("POST", "v1/messages/count_tokens", None),
        ("GET", "chat/completions", None),
        ("POST", "embeddings", None),
        ("POST", "responses/resp_1/cancel", None),
    ],
)
def test_chat_api_detection(method: str, tail: str, api: str | None) -> None:
    assert chat_api_for(method, tail) == api


def test_target_never_leaves_host(registry: UpstreamRegistry) -> None:
    up = registry.get("openai")
    assert up is not None
    for tail in ("@evil.com/x", "//evil.com/x", "%2F%2Fevil.com"):
        try:
            url = up.target(tail, "")
        except ProxyError:
            continue
        assert url.host == "api.openai.com"


def test_key_injection_styles(registry: UpstreamRegistry) -> None:
    from multidict import CIMultiDict

    oa, an = registry.get("openai"), registry.get("anthropic")
    assert oa and an
    h: CIMultiDict[str] = CIMultiDict({"Authorization": "Bearer dummy"})
    assert registry.inject_key(oa, h, None) and h["Authorization"] == "Bearer sk-op"
    h = CIMultiDict({"Authorization": "Bearer sk-mine"})
    assert not registry.inject_key(oa, h, None) and h["Authorization"] == "Bearer sk-mine"
    h = CIMultiDict()
    assert registry.inject_key(an, h, None) and h["x-api-key"] == "sk-an" and "Authorization" not in h
    g = registry.get("groq")
    assert g and not registry.inject_key(g, CIMultiDict(), None)  # GROQ_API_KEY not set


def test_agent_identity_order() -> None:
    body = {"user": "u1", "messages": [{"role": "system", "content": "s"}, {"role": "user", "content": "q"}]}
    assert resolve_agent("p1", {"x-ctxproxy-agent": "h1"}, "openai-chat", body) == ("p1", "path")
    assert resolve_agent(None, {"x-ctxproxy-agent": "h1"}, "openai-chat", body) == ("h1", "header")
    assert resolve_agent(None, {"x-massgen-agent": "agent_b"}, "openai-chat", body) == ("agent_b", "header")
    assert resolve_agent(None, {}, "openai-chat", body) == ("u1", "user")
    anon = {k: v for k, v in body.items() if k != "user"}
    agent, how = resolve_agent(None, {}, "openai-chat", anon)
    assert how == "fingerprint" and agent == fingerprint("openai-chat", anon)
    longer = {"messages": [*anon["messages"], {"role": "assistant", "content": "later turns"}]}
    assert fingerprint("openai-chat", longer) == agent  # stable across turns
    weird, _ = resolve_agent(None, {"x-ctxproxy-agent": "a b/c\n"}, None, None)
    assert weird.startswith("agent-") and "/" not in weird


def test_status_labels_are_bounded_and_keep_499() -> None:
    from proxy.observability.metrics import status_class

    assert [status_class(s) for s in (200, 404, 418, 499, 502, 599)] == [
        "200",
        "404",
        "4xx",
        "499",
        "502",
        "5xx",
    ]


@pytest.mark.parametrize(
    ("base_path", "tail", "expected"),
    [
        ("/v1", "v1/chat/completions", ("chat/completions", "v1")),
        ("/openai/v1/", "v1/responses", ("responses", "v1")),
        ("/v1beta", "v1beta/models/x:generateContent", ("models/x:generateContent", "v1beta")),
        ("/", "v1/v1/messages", ("v1/messages", "v1")),
        ("/v1", "chat/completions", ("chat/completions", None)),
        ("/", "v1/messages", ("v1/messages", None)),
        ("/v1beta/openai", "v1beta/openai/chat/completions", ("v1beta/openai/chat/completions", None)),
        ("/v1", "v2/x", ("v2/x", None)),
        ("/v1", "v1x/y", ("v1x/y", None)),
    ],
)
def test_a_version_segment_written_twice_is_dropped(
    base_path: str, tail: str, expected: tuple[str, str | None]
) -> None:
    from proxy.server.paths import collapse_version

    assert collapse_version(base_path, tail) == expected
