"""Security cases: no relay on a public bind, keys, dot segments, header injection, log canaries.

Each test drives the real app on loopback in front of the recording fake upstream
(tests/fakes/transport.py), which shows exactly what reached the upstream.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import sys
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import orjson
import pytest
import pytest_asyncio
from aiohttp.test_utils import TestServer
from yarl import URL

from proxy.appkeys import UPSTREAMS
from proxy.server.upstreams import bound_is_loopback, is_loopback_host
from tests.fakes import transport
from tests.fakes.transport import FakeState
from tests.integration.conftest import proxy_settings
from tests.robustness.conftest import log_lines

CHAT = orjson.dumps({"model": "m", "messages": [{"role": "user", "content": "hi"}]})


@pytest_asyncio.fixture
async def recording() -> AsyncIterator[TestServer]:
    server = TestServer(transport.make_app(), host="127.0.0.1")
    await server.start_server()
    yield server
    await server.close()


def _url(server: TestServer) -> str:
    return str(server.make_url("")).rstrip("/")


def _seen(server: TestServer) -> FakeState:
    return server.app[transport.STATE]


def _ipv6() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


# --- 1. no open relay ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("", False),
        ("0.0.0.0", False),
        ("::", False),
        ("[::]", False),
        ("10.1.2.3", False),
        ("proxy.example.com", False),
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
    ],
)
def test_configured_host_guess(host: str, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback


@pytest.mark.parametrize(
    ("addresses", "loopback"),
    [
        ([("127.0.0.1", 8787)], True),
        ([("::1", 8787, 0, 0), ("127.0.0.1", 8787)], True),
        ([("0.0.0.0", 8787)], False),
        ([("0.0.0.0", 8787), ("::", 8787, 0, 0)], False),  # what --host "" binds
        ([("127.0.0.1", 8787), ("192.168.1.5", 8787)], False),  # one public socket is enough
        (["/run/ctxproxy.sock"], True),  # a unix socket: local processes only
        ([], False),  # nothing proves loopback
    ],
)
def test_loopback_decided_from_bound_sockets(addresses: list[Any], loopback: bool) -> None:
    assert bound_is_loopback(addresses) is loopback


@pytest.mark.parametrize("host", ["", "0.0.0.0", "::"])
async def test_public_bind_never_injects_and_warns_once(
    host: str,
    make_proxy: Any,
    recording: TestServer,
    tmp_path: Any,
    logs: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if host == "::" and not _ipv6():
        pytest.skip("no IPv6 on this machine")
    monkeypatch.setenv("FAKE_OPENAI_KEY", "sk-OPERATOR-KEY")
    proxy = await make_proxy(proxy_settings(_url(recording), tmp_path, server={"host": host}))
    assert proxy.app[UPSTREAMS].loopback_bind is False
    async with aiohttp.ClientSession() as s:
        for auth in (None, "Bearer dummy", "Bearer ", "Bearer"):
            headers = {"Authorization": auth} if auth is not None else {}
            async with s.post(f"{proxy.url}/openai/chat/completions", data=CHAT, headers=headers) as r:
                assert r.status in (200, 401)  # the fake accepts "dummy", refuses no key
            assert "sk-OPERATOR-KEY" not in str(_seen(recording).seen[-1].headers)  # never injected
    warnings = [ln for ln in log_lines(logs) if ln["event"] == "server.key_injection_off"]
    assert len(warnings) == 1 and "server.proxy_keys" in warnings[0]["reason"]


async def test_public_bind_with_proxy_keys_injects_for_keyed_callers(
    make_proxy: Any, recording: TestServer, tmp_path: Any, logs: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_OPENAI_KEY", "sk-OPERATOR-KEY")
    settings = proxy_settings(_url(recording), tmp_path, server={"host": "", "proxy_keys": ["pk-1"]})
    proxy = await make_proxy(settings)
    async with aiohttp.ClientSession() as s:
        async with s.post(f"{proxy.url}/openai/chat/completions", data=CHAT) as r:
            assert r.status == 401 and (await r.json())["error"]["code"] == "invalid_proxy_key"
        async with s.post(
            f"{proxy.url}/openai/chat/completions", data=CHAT, headers={"x-ctxproxy-key": "pk-1"}
        ) as r:
            assert r.status == 200
    assert _seen(recording).seen[-1].headers["Authorization"] == "Bearer sk-OPERATOR-KEY"
    assert not [ln for ln in log_lines(logs) if ln["event"] == "server.key_injection_off"]


# --- 5. placeholder and empty keys ---------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer "},
        {"Authorization": "Bearer"},
        {"Authorization": ""},
        {"Authorization": "Bearer dummy"},
        {"Authorization": "bearer   EMPTY  "},
        {"Authorization": "Bearer sk-dummy", "api-key": ""},
    ],
)
async def test_empty_or_placeholder_key_gets_the_configured_one_on_loopback(
    headers: dict[str, str],
    make_proxy: Any,
    recording: TestServer,
    tmp_path: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FAKE_OPENAI_KEY", "sk-OPERATOR-KEY")
    proxy = await make_proxy(proxy_settings(_url(recording), tmp_path))
    async with aiohttp.ClientSession() as s:
        async with s.post(f"{proxy.url}/openai/chat/completions", data=CHAT, headers=headers) as r:
            assert r.status == 200
    seen = _seen(recording).seen[-1].headers
    assert seen.getall("Authorization") == ["Bearer sk-OPERATOR-KEY"] and "api-key" not in seen


async def test_anthropic_empty_x_api_key_is_no_key(
    make_proxy: Any, recording: TestServer, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_ANTHROPIC_KEY", "sk-ant-OPERATOR")
    proxy = await make_proxy(proxy_settings(_url(recording), tmp_path))
    body = orjson.dumps(
        {"model": "claude-x", "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]}
    )
    async with aiohttp.ClientSession() as s:
        async with s.post(f"{proxy.url}/anthropic/v1/messages", data=body, headers={"x-api-key": ""}) as r:
            assert r.status == 200
    assert _seen(recording).seen[-1].headers.getall("x-api-key") == ["sk-ant-OPERATOR"]


async def test_a_real_client_key_is_never_replaced(
    make_proxy: Any, recording: TestServer, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_OPENAI_KEY", "sk-OPERATOR-KEY")
    proxy = await make_proxy(proxy_settings(_url(recording), tmp_path))
    async with aiohttp.ClientSession() as s:
        async with s.post(
            f"{proxy.url}/openai/chat/completions",
            data=CHAT,
            headers={"Authorization": "Bearer sk-client-own"},
        ) as r:
            assert r.status == 200
    assert _seen(recording).seen[-1].headers.getall("Authorization") == ["Bearer sk-client-own"]


# --- 6. dot segments -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/openai/../../../x/chat/completions",
        "/openai/../anthropic/v1/messages",
        "/openai/%2e%2e/%2E%2E/x/chat/completions",
        "/openai/.%2e/x/chat/completions",
        "/openai/echo/..%2f..%2f..%2fx",
        "/openai/echo/..%5c..%5cx",
        "/openai/echo/../../x",
        "/v1/../../x",
        "/agent/a1/openai/echo/../../../x",
    ],
)
async def test_dot_segments_cannot_leave_the_base_url(
    path: str, make_proxy: Any, recording: TestServer, tmp_path: Any
) -> None:
    proxy = await make_proxy(proxy_settings(_url(recording), tmp_path))
    before = len(_seen(recording).seen)
    async with aiohttp.ClientSession() as s:
        async with s.post(URL(proxy.url + path, encoded=True), data=CHAT) as r:
            assert r.status == 400 and r.headers["x-ctxproxy-error"] == "invalid_path"
    assert len(_seen(recording).seen) == before  # nothing reached the upstream


@pytest.mark.parametrize(
    ("path", "upstream_path"),
    [
        ("/openai/echo/a/../b", "/v1/echo/b"),
        ("/openai/echo/./a/%2e/b", "/v1/echo/a/b"),
        ("/openai/echo/v1.2/file.txt", "/v1/echo/v1.2/file.txt"),
    ],
)
async def test_dot_segments_inside_the_base_url_are_resolved(
    path: str, upstream_path: str, make_proxy: Any, recording: TestServer, tmp_path: Any
) -> None:
    proxy = await make_proxy(proxy_settings(_url(recording), tmp_path))
    async with aiohttp.ClientSession() as s:
        async with s.get(URL(proxy.url + path, encoded=True)) as r:
            assert r.status == 200
    assert _seen(recording).seen[-1].path == upstream_path


# --- 7. authenticate before revealing anything ---------------------------------------------


async def test_unknown_upstream_needs_the_proxy_key_before_listing_names(
    make_proxy: Any, recording: TestServer, tmp_path: Any
) -> None:
    proxy = await make_proxy(proxy_settings(_url(recording), tmp_path, server={"proxy_keys": ["pk-1"]}))
    async with aiohttp.ClientSession() as s:
        for path in ("/nope/chat/completions", "/openai/../../x", "/agent/a/nope/x"):
            async with s.post(URL(proxy.url + path, encoded=True), data=CHAT) as r:
                text = await r.text()
                assert r.status == 401 and "invalid_proxy_key" in text
                assert "anthropic" not in text and "openai" not in text
        async with s.post(
            f"{proxy.url}/nope/chat/completions", data=CHAT, headers={"x-ctxproxy-key": "pk-1"}
        ) as r:
            assert r.status == 404 and "anthropic" in await r.text()


# --- header injection ----------------------------------------------------------------------


async def test_client_headers_cannot_redirect_or_split(
    make_proxy: Any, recording: TestServer, tmp_path: Any
) -> None:
    proxy = await make_proxy(proxy_settings(_url(recording), tmp_path))
    async with aiohttp.ClientSession() as s:
        async with s.get(
            URL(proxy.url + "/openai/echo/x%0d%0aSet-Cookie:%20a=b?q=%0d%0aX-Evil:%201", encoded=True),
            headers={
                "Host": "evil.example",
                "X-Forwarded-Host": "evil.example",
                "x-ctxproxy-key": "pk-should-not-travel",
                "x-request-id": "id with spaces and a key sk-abc",
            },
        ) as r:
            assert r.status == 200
            assert "Set-Cookie" not in r.headers and "X-Evil" not in r.headers
            assert r.headers["x-request-id"] != "id with spaces and a key sk-abc"
    seen = _seen(recording).seen[-1]
    assert seen.headers["Host"] == URL(_url(recording)).raw_authority
    assert "Set-Cookie" not in seen.headers and "X-Evil" not in seen.headers
    assert seen.path == "/v1/echo/x\r\nSet-Cookie: a=b" and seen.query == "q=%0d%0aX-Evil:%201"
    assert "x-ctxproxy-key" not in seen.headers


async def _raw(url: str, data: bytes) -> bytes:
    host, port = URL(url).host, URL(url).port
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(data)
    await writer.drain()
    try:
        return await asyncio.wait_for(reader.read(4096), 5)
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):  # the proxy may have reset it after its 400
            await writer.wait_closed()


# --- 4. aiohttp's parser errors: one JSON line, no values -----------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        b"POST /openai/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sk-CANARY-CR\rX\r\n"
        b"Content-Length: 0\r\n\r\n",
        b"GET /openai/models HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sk-CANARY-LONG"
        + b"A" * 9000
        + b"\r\n\r\n",
        "GET /google/v1/mödels?key=sk-CANARY-QUERY HTTP/1.1\r\nHost: x\r\n\r\n".encode(),
        b"GET /openai/models?key=sk-CANARY-SPACE x HTTP/1.1\r\nHost: x\r\n\r\n",
    ],
)
async def test_parser_errors_logged_as_one_line_without_values(
    raw: bytes, make_proxy: Any, recording: TestServer, tmp_path: Any, logs: Any, capfd: Any
) -> None:
    proxy = await make_proxy(proxy_settings(_url(recording), tmp_path))
    answer = await _raw(proxy.url, raw)
    assert answer.startswith(b"HTTP/1.") and b" 400 " in answer.split(b"\r\n", 1)[0]
    await asyncio.sleep(0.05)
    lines = [ln for ln in log_lines(logs) if ln.get("logger", "").startswith("aiohttp")]
    assert len(lines) == 1, lines
    assert lines[0]["event"] == "http.malformed_request" and lines[0]["level"] == "warning", lines
    assert lines[0]["status"] == 400 and lines[0]["error"] in (
        "BadHttpMessage",
        "LineTooLong",
        "InvalidURLError",
        "BadStatusLine",
    )
    text = logs.getvalue() + capfd.readouterr().err
    assert "CANARY" not in text and "Traceback" not in text


# --- canary: no key and no prompt text in any log line, at info and at debug ----------------


@pytest.mark.parametrize("level", ["info", "debug"])
async def test_canary_keys_and_prompts_never_logged(
    level: str, make_proxy: Any, lenient_url: str, tmp_path: Any, keys: dict[str, str], capfd: Any
) -> None:
    import io

    from proxy.observability.logging import configure_logging
    from tests.robustness.conftest import settings_for

    buf = io.BytesIO()
    configure_logging(level, "json", stream=buf)
    try:
        proxy = await make_proxy(settings_for(lenient_url, tmp_path))
        prompt = "PROMPT-CANARY-7f3a"
        client_key = "sk-CLIENT-CANARY-9b2c"
        turns = [
            {"role": "user", "content": f"{prompt} " + "lorem ipsum dolor " * 60},
            {"role": "assistant", "content": f"{prompt} answer " + "sit amet " * 60},
        ] * 6
        chat = {
            "model": "tiny-window",
            "max_tokens": 128,
            "messages": [*turns, {"role": "user", "content": prompt}],
        }
        bodies: list[tuple[str, bytes, dict[str, str]]] = [
            ("/openai/chat/completions", orjson.dumps(chat), {"Authorization": f"Bearer {client_key}"}),
            ("/openai/chat/completions", orjson.dumps(chat), {}),  # injected operator key
            ("/openai/chat/completions", orjson.dumps({**chat, "model": "overflow-context"}), {}),
            (
                "/anthropic/v1/messages",
                orjson.dumps({**chat, "model": "overflow-max-tokens", "max_tokens": 256}),
                {"x-api-key": client_key},
            ),
            ("/openai/chat/completions", b'{"model": "' + prompt.encode() + b'", "messages": [', {}),
            (
                "/openai/chat/completions",
                orjson.dumps({"model": "m", "messages": [{"role": [prompt], "content": prompt}]}),
                {},
            ),
            (
                f"/google/v1beta/models/tiny-window:generateContent?key={client_key}",
                orjson.dumps({"contents": [{"role": "user", "parts": [{"text": prompt}]}]}),
                {},
            ),
        ]
        async with aiohttp.ClientSession() as s:
            for path, body, headers in bodies:
                async with s.post(URL(proxy.url + path, encoded=True), data=body, headers=headers) as r:
                    assert r.status in (200, 400), (path, r.status)
        for raw in (
            b"POST /openai/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
            + client_key.encode()
            + b"\rX\r\nContent-Length: 0\r\n\r\n",
            f"GET /google/v1/m\u00f6dels?key={client_key} HTTP/1.1\r\nHost: x\r\n\r\n".encode(),
        ):
            await _raw(proxy.url, raw)
        await asyncio.sleep(0.05)
    finally:
        configure_logging("info", "json", stream=sys.__stderr__.buffer)
    text = buf.getvalue().decode() + capfd.readouterr().err
    assert '"request.completed"' in text and '"compression.decided"' in text
    for secret in (prompt, client_key, *keys.values()):
        assert secret not in text, secret
    assert "Traceback" not in text


async def test_serve_process_with_empty_host_is_no_relay(recording: TestServer, tmp_path: Any) -> None:
    """`ctxproxy serve --host ""` as a real process: every interface, so no injection, one warning."""
    import signal

    from tests.integration.test_serve_process import _free_port, _spawn, _wait_ready

    port = _free_port()
    cfg = tmp_path / "c.yaml"
    cfg.write_text(
        orjson.dumps(
            {
                "upstreams": {
                    "openai": {
                        "base_url": f"{_url(recording)}/v1",
                        "api": "openai",
                        "api_key_env": "FAKE_OPENAI_KEY",
                    }
                },
                "catalog": {"refresh_on_start": False, "sources": ["litellm"]},
            }
        ).decode()
    )
    proc = await _spawn(
        tmp_path,
        "serve",
        "--config",
        str(cfg),
        "--host",
        "",
        "--port",
        str(port),
        FAKE_OPENAI_KEY="sk-OPERATOR-KEY",
    )
    url = f"http://127.0.0.1:{port}"
    try:
        await _wait_ready(url, proc)
        async with aiohttp.ClientSession() as s:
            for headers in ({}, {"Authorization": "Bearer "}, {"Authorization": "Bearer dummy"}):
                async with s.post(f"{url}/openai/chat/completions", data=CHAT, headers=headers) as r:
                    assert r.status in (200, 401)
                assert "sk-OPERATOR-KEY" not in str(_seen(recording).seen[-1].headers)
    finally:
        proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(proc.wait(), 30)
    stderr = (await proc.stderr.read()).decode()  # type: ignore[union-attr]
    warnings = [line for line in stderr.splitlines() if "server.key_injection_off" in line]
    assert len(warnings) == 1, stderr[-2000:]
    assert '"key_injection":false' in stderr and "sk-OPERATOR-KEY" not in stderr
