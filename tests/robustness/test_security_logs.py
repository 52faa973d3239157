"""Log canaries: aiohttp's parser errors are one JSON line without the request's values, and no
key or prompt text reaches any log line, at info and at debug.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from typing import Any

import aiohttp
import orjson
import pytest
from aiohttp.test_utils import TestServer
from yarl import URL

from tests.integration.conftest import proxy_settings
from tests.robustness.conftest import log_lines
from tests.robustness.securitykit import _url


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
