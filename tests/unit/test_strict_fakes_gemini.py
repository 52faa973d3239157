"""The strict Gemini fake over raw HTTP, the shape google-genai sends (no Gemini SDK in the
dev venv): generate and stream with a function call, the function-call pairings Gemini refuses,
and its overflow error.
"""

from __future__ import annotations

from typing import Any

import aiohttp
import orjson

from proxy.server.overflow import detect_overflow
from tests.fakes.strict import GeminiFake, tool_loop
from tests.unit.strictkit import BIG


async def _gemini(fake: GeminiFake, model: str, method: str, body: Any, query: str = "") -> tuple[int, bytes]:
    async with aiohttp.ClientSession() as http:
        url = f"{fake.base_url}/v1beta/models/{model}:{method}{query}"
        async with http.post(url, json=body, headers={"x-goog-api-key": "k"}) as response:
            return response.status, await response.read()


async def test_gemini_generate_and_stream_with_function_call() -> None:
    script = tool_loop(1, "lookup", {"q": "x"}, final="done")
    body: Any = {
        "contents": [{"role": "user", "parts": [{"text": "find x"}]}],
        "tools": [{"functionDeclarations": [{"name": "lookup"}]}],
    }
    async with GeminiFake(script=script) as fake:
        status, raw = await _gemini(fake, "gemini-2.5-flash", "streamGenerateContent", body, "?alt=sse")
        events = [orjson.loads(line[5:]) for line in raw.split(b"\r\n\r\n") if line.startswith(b"data:")]
        call = events[-1]["candidates"][0]["content"]["parts"][-1]["functionCall"]
        assert status == 200 and call == {"name": "lookup", "args": {"q": "x"}}
        assert events[-1]["usageMetadata"]["promptTokenCount"] == fake.requests[0].input_tokens
        body["contents"] += [
            {"role": "model", "parts": [{"functionCall": call}]},
            {"role": "user", "parts": [{"functionResponse": {"name": "lookup", "response": {"r": 1}}}]},
        ]
        status, raw = await _gemini(fake, "gemini-2.5-flash", "generateContent", body)
    assert status == 200 and orjson.loads(raw)["candidates"][0]["content"]["parts"] == [{"text": "done"}]
    assert fake.requests[0].path == "/v1beta/models/gemini-2.5-flash:streamGenerateContent"


async def test_gemini_rejects_bad_pairing_and_overflows() -> None:
    orphan = {
        "contents": [
            {"role": "user", "parts": [{"text": "a"}]},
            {"role": "user", "parts": [{"functionResponse": {"name": "f", "response": {}}}]},
        ]
    }
    two_for_one = {
        "contents": [
            {"role": "user", "parts": [{"text": "a"}]},
            {"role": "model", "parts": [{"functionCall": {"name": "f", "args": {}}}]},
            {
                "role": "user",
                "parts": [
                    {"functionResponse": {"name": "f", "response": {}}},
                    {"functionResponse": {"name": "f", "response": {}}},
                ],
            },
        ]
    }
    async with GeminiFake(window=500) as fake:
        s1, b1 = await _gemini(fake, "g", "generateContent", orphan)
        s2, b2 = await _gemini(fake, "g", "generateContent", two_for_one)
        s3, b3 = await _gemini(
            fake, "g", "generateContent", {"contents": [{"role": "user", "parts": [{"text": BIG}]}]}
        )
    assert s1 == 400 and b"function response turn comes immediately after a function call turn" in b1
    assert s2 == 400 and b"number of function response parts is equal" in b2
    found = detect_overflow(s3, b3)
    assert (
        s3 == 400
        and found is not None
        and found.limit == 500
        and found.requested == fake.overflows[0].input_tokens
    )
    assert orjson.loads(b3)["error"]["status"] == "INVALID_ARGUMENT"
    assert len(fake.invalid) == 2
