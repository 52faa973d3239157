"""What a client's path and headers can make reach the upstream: dot segments never leave
the base URL (those inside it are resolved), and headers cannot redirect the request or split
it.

Each test drives the real app on loopback in front of the recording fake upstream
(tests/fakes/transport.py), which shows exactly what reached the upstream.
"""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from yarl import URL

from tests.integration.conftest import proxy_settings
from tests.robustness.securitykit import CHAT, _seen, _url


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
