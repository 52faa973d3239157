"""No open relay: a proxy bound beyond loopback never injects the operator's key unless
callers show a proxy key, and warns once. Whether a bind is loopback is decided from the bound
sockets, and ``ctxproxy serve --host ""`` as a real process behaves the same.

Each test drives the real app on loopback in front of the recording fake upstream
(tests/fakes/transport.py), which shows exactly what reached the upstream.
"""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import aiohttp
import orjson
import pytest
from aiohttp.test_utils import TestServer

from proxy.appkeys import UPSTREAMS
from proxy.server.upstreams import bound_is_loopback, is_loopback_host
from tests.integration.conftest import proxy_settings
from tests.robustness.conftest import log_lines
from tests.robustness.securitykit import CHAT, _seen, _url


def _ipv6() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


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
