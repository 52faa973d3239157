"""Unit cases of the hardening rules: dot segments, placeholder keys, base_url prefix, shapes."""

from __future__ import annotations

import pytest
from multidict import CIMultiDict

from proxy.config import ServerSettings, UpstreamSettings
from proxy.server.errors import ProxyError
from proxy.server.paths import normalize_tail
from proxy.server.upstreams import UpstreamRegistry
from proxy.wire import get_adapter


@pytest.mark.parametrize(
    ("tail", "expected"),
    [
        ("chat/completions", "chat/completions"),
        ("models/gemini-1.5-pro:generateContent", "models/gemini-1.5-pro:generateContent"),
        ("a/../chat/completions", "chat/completions"),
        ("a/./b", "a/b"),
        ("a/%2E/b/%2e%2e/c", "a/c"),
        ("a/b/..", "a/"),
        ("files/x%20y.txt", "files/x%20y.txt"),
    ],
)
def test_normalize_tail_resolves_inside(tail: str, expected: str) -> None:
    assert normalize_tail(tail) == expected


@pytest.mark.parametrize(
    "tail", ["..", "../x", "a/../../x", "%2e%2e/x", ".%2E/x", "a/..%2f..%2fx", "a/..%5cx", "a/x%2F..%2Fy"]
)
def test_normalize_tail_refuses_escapes(tail: str) -> None:
    with pytest.raises(ProxyError) as err:
        normalize_tail(tail)
    assert err.value.status == 400 and err.value.code == "invalid_path"


def _registry(host: str = "127.0.0.1") -> UpstreamRegistry:
    ups = {"openai": UpstreamSettings(base_url="http://up.example/v1", api="openai", api_key_env="K")}
    return UpstreamRegistry(ups, ServerSettings(host=host), environ={"K": "sk-op"})


@pytest.mark.parametrize(
    "value", ["", "Bearer", "Bearer ", "bearer   ", "Bearer dummy", " EMPTY ", "Bearer  none"]
)
def test_empty_and_placeholder_keys_are_no_key(value: str) -> None:
    reg = _registry()
    headers: CIMultiDict[str] = CIMultiDict({"Authorization": value})
    assert not reg.client_has_key(headers, None)
    assert reg.inject_key(reg.get("openai"), headers, None)  # type: ignore[arg-type]
    assert headers.getall("Authorization") == ["Bearer sk-op"]


@pytest.mark.parametrize("value", ["Bearer sk-real", "sk-real", "Basic abc"])
def test_real_keys_are_kept(value: str) -> None:
    reg = _registry()
    headers: CIMultiDict[str] = CIMultiDict({"Authorization": value})
    assert reg.client_has_key(headers, None)
    assert not reg.inject_key(reg.get("openai"), headers, None)  # type: ignore[arg-type]


@pytest.mark.parametrize("host", ["", "0.0.0.0", "::"])
def test_public_host_guess_does_not_inject_before_binding(host: str) -> None:
    reg = _registry(host)
    assert not reg.may_inject
    assert reg.bound_to([("127.0.0.1", 1)])  # what was really bound decides
    assert not reg.bound_to([("127.0.0.1", 1), ("0.0.0.0", 1)])


def test_target_stays_under_the_base_url_prefix() -> None:
    up = _registry().get("openai")
    assert up is not None
    assert str(up.target("chat/completions", "a=1")) == "http://up.example/v1/chat/completions?a=1"
    with pytest.raises(ProxyError):
        up.target("../x", "")  # a tail that was not normalized is still refused


@pytest.mark.parametrize(
    ("api", "body", "says"),
    [
        ("openai-chat", {"messages": {"role": "user"}}, "messages must be a list"),
        ("openai-chat", {"messages": ["hi"]}, "messages[0] must be an object"),
        ("openai-chat", {"messages": [{"role": "tool", "tool_call_id": 7}]}, "messages[0].tool_call_id"),
        (
            "openai-chat",
            {"messages": [{"role": "assistant", "tool_calls": [{"id": ["x"]}]}]},
            "tool_calls[0].id",
        ),
        ("openai-responses", {"input": [{"type": "function_call", "call_id": {}}]}, "input[0].call_id"),
        ("openai-responses", {"input": [], "instructions": ["x"]}, "instructions"),
        ("anthropic", {"system": 5, "messages": []}, "system must be a string or a list"),
        (
            "anthropic",
            {"messages": [{"role": "user", "content": [{"type": "tool_result", "tool_use_id": 1}]}]},
            "tool_use_id",
        ),
        ("gemini", {"contents": [{"parts": [{"functionCall": "x"}]}]}, "functionCall must be an object"),
        ("gemini", {"systemInstruction": {"parts": 3}, "contents": []}, "systemInstruction.parts"),
    ],
)
def test_shape_checks_name_the_field(api: str, body: dict[str, object], says: str) -> None:
    problem = get_adapter(api).check(body)
    assert problem is not None and says in problem


@pytest.mark.parametrize(
    ("api", "body"),
    [
        (
            "openai-chat",
            {
                "messages": [
                    {"role": "user", "content": None, "x-custom": [1]},
                    {"role": "user", "content": [{"type": "new-part"}]},
                ]
            },
        ),
        ("openai-responses", {"input": "just text"}),
        (
            "anthropic",
            {
                "messages": [
                    {
                        "role": "user",
                        "content": [
                            {
                                "type": "code_execution_tool_result",
                                "tool_use_id": "s1",
                                "content": {"type": "code_execution_result"},
                            }
                        ],
                    }
                ]
            },
        ),
        ("anthropic", {"messages": [{"role": "user", "content": [{"type": "document", "source": {}}]}]}),
        ("gemini", {"contents": [{"parts": [{"inlineData": {"data": "AA"}}]}], "system_instruction": "text"}),
        ("openai-chat", {}),  # a missing list is the provider's business
    ],
)
def test_shape_checks_pass_unknown_and_missing_fields(api: str, body: dict[str, object]) -> None:
    assert get_adapter(api).check(body) is None
