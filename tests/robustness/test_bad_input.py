"""Inputs that once crashed the proxy, one regression test each: a 400 in the caller's API shape.

Each body once crashed the proxy with a bare ``500 Server got itself in trouble`` and a
traceback. Near or over the trigger the adapters' shape checks refuse it before anything parses
it (so ``compression.failed`` never moves); certainly under the trigger the fast path sends it
as it came and the provider's own answer goes back (never a crash). For a ``max_tokens`` the
overflow retry cannot use, the provider's own error goes back untouched.
"""

from __future__ import annotations

from typing import Any

import aiohttp
import orjson
import pytest

from proxy.appkeys import CHAT_HOOKS, METRICS
from tests.fakes.lenient import STATE
from tests.robustness.conftest import log_lines, settings_for

_FILLER = [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}] * 4
_GEMINI_FILLER = [{"role": "model", "parts": [{"text": "b"}]}, {"role": "user", "parts": [{"text": "a"}]}] * 4
_DEEP = b"[" * 300 + b"]" * 300
# A top-level field that puts a small body over tiny-window's trigger (1,580 tokens) by bytes:
# only counting could tell, so the proxy checks the body before anything else.
_PAD = {"metadata": {"note": "x" * 2000}}
_PAD_RAW = b'"metadata":{"note":"' + b"x" * 2000 + b'"},'

CASES = [
    pytest.param(
        "/openai/chat/completions",
        b'{"model":"tiny-window",' + _PAD_RAW + b'"messages":[{"role":"user","content":' + _DEEP + b"}]}",
        "openai",
        "nested deeper",
        id="content-nested-300-deep",
    ),
    pytest.param(  # 255 levels: one more than orjson can write back
        "/openai/chat/completions",
        b'{"model":"tiny-window",' + _PAD_RAW + b'"":' + b"[" * 254 + b"]" * 254 + b"}",
        "openai",
        "nested deeper",
        id="too-deep-body",
    ),
    pytest.param(
        "/openai/chat/completions",
        orjson.dumps(
            {"model": "tiny-window", **_PAD, "messages": [*_FILLER, {"role": "assistant", "tool_calls": 5}]}
        ),
        "openai",
        "messages[8].tool_calls must be a list",
        id="tool_calls-5",
    ),
    pytest.param(
        "/openai/chat/completions",
        orjson.dumps(
            {
                "model": "tiny-window",
                **_PAD,
                "messages": [{"role": "user", "content": [{"type": ["text"], "text": "hi"}]}],
            }
        ),
        "openai",
        "messages[0].content[0].type must be a string",
        id="part-type-list",
    ),
    pytest.param(
        "/anthropic/v1/messages",
        orjson.dumps(
            {
                "model": "tiny-window",
                **_PAD,
                "max_tokens": 9,
                "messages": [{"role": "user", "content": [{"type": {}, "text": "hi"}]}],
            }
        ),
        "anthropic",
        "messages[0].content[0].type must be a string",
        id="anthropic-block-type-object",
    ),
    pytest.param(
        "/openai/chat/completions",
        orjson.dumps(
            {"model": "tiny-window", **_PAD, "messages": [{"role": ["user"], "content": "hi"}, *_FILLER[1:]]}
        ),
        "openai",
        "messages[0].role must be a string",
        id="role-list-first-of-8",
    ),
    pytest.param(
        "/google/v1beta/models/tiny-window:generateContent",
        orjson.dumps({"contents": [{"role": ["user"], "parts": [{"text": "hi"}]}, *_GEMINI_FILLER], **_PAD}),
        "gemini",
        "contents[0].role must be a string",
        id="gemini-role-list",
    ),
    pytest.param(
        "/google/v1beta/models/tiny-window:generateContent",
        orjson.dumps({"contents": [{"role": "user", "parts": 7}, *_GEMINI_FILLER], **_PAD}),
        "gemini",
        "contents[0].parts must be a list",
        id="gemini-parts-not-a-list",
    ),
    pytest.param(
        "/anthropic/v1/messages",
        orjson.dumps(
            {
                "model": "tiny-window",
                **_PAD,
                "max_tokens": 9,
                "messages": [{"role": "user", "content": 5}, *_FILLER[1:]],
            }
        ),
        "anthropic",
        "messages[0].content must be a string or a list",
        id="anthropic-content-int",
    ),
]


def _message(shape: str, body: dict[str, Any]) -> str:
    if shape == "anthropic":
        assert body["type"] == "error" and body["error"]["type"] == "invalid_request_error"
        return str(body["error"]["message"])
    if shape == "gemini":
        assert body["error"]["status"] == "INVALID_ARGUMENT" and body["error"]["code"] == 400
        return str(body["error"]["message"])
    assert body["error"]["type"] == "invalid_request_error"
    return str(body["error"]["message"])


@pytest.mark.parametrize(("path", "raw", "shape", "says"), CASES)
async def test_malformed_body_gets_400_in_callers_shape(
    path: str,
    raw: bytes,
    shape: str,
    says: str,
    make_proxy: Any,
    lenient_fake: Any,
    lenient_url: str,
    tmp_path: Any,
    logs: Any,
) -> None:
    proxy = await make_proxy(settings_for(lenient_url, tmp_path))
    async with aiohttp.ClientSession() as s:
        async with s.post(
            proxy.url + path, data=raw, headers={"x-api-key": "k", "Authorization": "Bearer k"}
        ) as r:
            assert r.status == 400
            assert says in _message(shape, await r.json())
    assert lenient_fake.app[STATE].requests == 0  # refused before anything went upstream
    events = [ln["event"] for ln in log_lines(logs)]
    assert "compression.failed" not in events and "request.crashed" not in events
    assert "Traceback" not in logs.getvalue()


_UNDER = [  # the same kinds of bodies, certainly under their model's trigger
    (
        "/openai/chat/completions",
        b'{"model":"gpt-4o-mini","messages":[{"role":"user","content":' + _DEEP + b"}]}",
    ),
    ("/openai/chat/completions", b'{"":' + b"[" * 254 + b"]" * 254 + b"}"),
    (
        "/openai/chat/completions",
        orjson.dumps(
            {"model": "gpt-4o-mini", "messages": [*_FILLER, {"role": "assistant", "tool_calls": 5}]}
        ),
    ),
    (
        "/anthropic/v1/messages",
        orjson.dumps(
            {
                "model": "claude-sonnet-4-5",
                "max_tokens": 9,
                "messages": [{"role": "user", "content": [{"type": {}, "text": "hi"}]}],
            }
        ),
    ),
    (
        "/google/v1beta/models/gemini-2.0-flash:generateContent",
        orjson.dumps({"contents": [{"role": ["user"], "parts": [{"text": "hi"}]}, *_GEMINI_FILLER]}),
    ),
]


@pytest.mark.parametrize(("path", "raw"), _UNDER)
async def test_malformed_body_under_the_trigger_is_the_providers_to_refuse(
    path: str, raw: bytes, make_proxy: Any, lenient_fake: Any, lenient_url: str, tmp_path: Any, logs: Any
) -> None:
    """The fast path sends it as it came (this fake accepts anything; a provider answers 400),
    and nothing in the proxy crashes on it while the upstream works."""
    proxy = await make_proxy(settings_for(lenient_url, tmp_path))
    async with aiohttp.ClientSession() as s:
        async with s.post(
            proxy.url + path, data=raw, headers={"x-api-key": "k", "Authorization": "Bearer k"}
        ) as r:
            assert r.status == 200 and r.headers["x-fake-upstream"] == "1"
            assert r.headers["x-ctxproxy-compressed"] == "0"
            await r.read()
    assert lenient_fake.app[STATE].requests == 1
    assert lenient_fake.app[STATE].last_body == raw  # byte for byte
    await proxy.app[CHAT_HOOKS].close()  # the estimate has run
    events = [ln["event"] for ln in log_lines(logs)]
    assert "compression.failed" not in events and "request.crashed" not in events
    assert "Traceback" not in logs.getvalue()


@pytest.mark.parametrize("max_tokens", [None, [1], "abc", True, "256"])
async def test_max_tokens_overflow_retry_with_unusable_max_tokens(
    max_tokens: Any, make_proxy: Any, lenient_fake: Any, lenient_url: str, tmp_path: Any, logs: Any
) -> None:
    """Anthropic's "input length and `max_tokens` exceed context limit" on a body whose
    ``max_tokens`` is not a number: no lowered-max_tokens retry; never a crash."""
    proxy = await make_proxy(settings_for(lenient_url, tmp_path))
    body = {
        "model": "overflow-max-tokens",
        "max_tokens": max_tokens,
        "messages": [{"role": "user", "content": "hi"}],
    }
    async with aiohttp.ClientSession() as s:
        async with s.post(
            f"{proxy.url}/anthropic/v1/messages", data=orjson.dumps(body), headers={"x-api-key": "k"}
        ) as r:
            assert r.status == 400  # the provider's own error, passed back
            assert "max_tokens" in (await r.json())["error"]["message"]
    assert lenient_fake.app[STATE].overflows == 1
    events = [ln["event"] for ln in log_lines(logs)]
    assert "upstream.context_overflow" in events
    assert "compression.failed" not in events and "request.crashed" not in events


async def test_max_tokens_overflow_retry_lowers_a_real_max_tokens(
    make_proxy: Any, lenient_fake: Any, lenient_url: str, tmp_path: Any
) -> None:
    proxy = await make_proxy(settings_for(lenient_url, tmp_path))
    body = {
        "model": "overflow-max-tokens",
        "max_tokens": 256,
        "messages": [{"role": "user", "content": "hi"}],
    }
    async with aiohttp.ClientSession() as s:
        async with s.post(
            f"{proxy.url}/anthropic/v1/messages", data=orjson.dumps(body), headers={"x-api-key": "k"}
        ) as r:
            assert r.status == 200
            assert r.headers["x-ctxproxy-retried"] == "max_tokens"
            assert r.headers["x-ctxproxy-max-tokens"] == str(2000 - 1800 - 64)


async def test_a_bug_in_the_pipeline_is_one_log_line_and_an_api_shaped_500(
    make_proxy: Any,
    lenient_fake: Any,
    lenient_url: str,
    tmp_path: Any,
    logs: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    proxy = await make_proxy(settings_for(lenient_url, tmp_path))

    async def broken(req: Any) -> Any:
        raise KeyError("PROMPT-TEXT-IN-AN-EXCEPTION")

    def broken_early(req: Any) -> Any:  # the fast path from the bytes, before any parse
        raise KeyError("PROMPT-TEXT-IN-AN-EXCEPTION")

    monkeypatch.setattr(proxy.app[CHAT_HOOKS], "prepare", broken)
    monkeypatch.setattr(proxy.app[CHAT_HOOKS], "early", broken_early)
    body = orjson.dumps(
        {"model": "claude-x", "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]}
    )
    async with aiohttp.ClientSession() as s:
        async with s.post(f"{proxy.url}/anthropic/v1/messages", data=body, headers={"x-api-key": "k"}) as r:
            assert r.status == 500 and r.headers["x-ctxproxy-error"] == "internal_error"
            assert (await r.json())["type"] == "error"
        async with s.get(f"{proxy.url}/livez") as r:
            assert r.status == 200
    crashed = [ln for ln in log_lines(logs) if ln["event"] == "request.crashed"]
    assert len(crashed) == 1 and crashed[0]["error"] == "KeyError" and "broken" in crashed[0]["where"]
    assert "PROMPT-TEXT" not in logs.getvalue() and "Traceback" not in logs.getvalue()
    assert proxy.app[METRICS].errors.labels(kind="internal")._value.get() == 1
