"""/readyz waits for the tokenizer encodings the upstreams need (issue 10, item 9).

Loading an encoding costs 0.2–0.4 s; before this fix the first request near its trigger paid
it after /readyz already said "ready". The encoding loader is wrapped with a gate so the test
decides when the load finishes, and records every load the proxy asks for.
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import tiktoken

from proxy.app import create_app
from proxy.appkeys import LIFECYCLE
from proxy.compress import encodings
from proxy.compress.encodings import CL100K, O200K, needed_encodings
from proxy.config import CatalogSettings, Settings, UpstreamSettings, load_settings
from tests.fakes.strict import OpenAIChatFake, always
from tests.fakes.strict_tokens import chars_over_4
from tests.integration.conftest import SdkClients, start_app


def settings_for(upstreams: dict[str, Any], tmp_path: Any) -> Any:
    return load_settings(
        environ={},
        overrides={
            "upstreams": upstreams,
            "catalog": {
                "cache_dir": str(tmp_path / "cache"),
                "refresh_on_start": False,
                "sources": ["litellm"],
                "overrides": {"gpt-4o": {"context_window": 8_000, "max_output_tokens": 256}},
            },
        },
    )


@pytest.fixture
def gated_loads(monkeypatch: pytest.MonkeyPatch) -> tuple[threading.Event, list[str]]:
    gate, calls = threading.Event(), []
    real = encodings.load_encoding

    def load_encoding(name: str, tokenizer_dir: Path | None) -> tiktoken.Encoding:
        calls.append(name)
        if not gate.wait(30):
            raise TimeoutError("test gate never opened")
        return real(name, tokenizer_dir)

    monkeypatch.setattr(encodings, "load_encoding", load_encoding)
    return gate, calls


async def test_readyz_is_503_until_the_encodings_are_loaded(
    sdk: SdkClients, tmp_path: Any, gated_loads: tuple[threading.Event, list[str]]
) -> None:
    gate, calls = gated_loads
    async with OpenAIChatFake(window=8_000, script=always("fine"), count=chars_over_4) as fake:
        up = {"openai": {"base_url": fake.base_url, "api": "openai", "api_key_env": None}}
        app = create_app(settings_for(up, tmp_path))
        proxy = await start_app(app, wait_ready=False)
        try:
            async with aiohttp.ClientSession() as s:
                async with s.get(f"{proxy.url}/livez") as r:
                    assert r.status == 200  # alive (and listening) while loading
                for _ in range(3):
                    async with s.get(f"{proxy.url}/readyz") as r:
                        assert r.status == 503
                        assert await r.json() == {"status": "starting", "waiting": "encodings"}
                    await asyncio.sleep(0.05)
                gate.set()
                for _ in range(200):
                    async with s.get(f"{proxy.url}/readyz") as r:
                        if r.status == 200:
                            break
                    await asyncio.sleep(0.05)
                assert r.status == 200
            assert sorted(set(calls)) == [CL100K, O200K]  # "openai" serves OpenAI's o200k models
            calls.clear()

            # The first chat request goes through the compression path (over the byte bound,
            # so it is counted) and loads nothing.
            client = sdk.openai(f"{proxy.url}/openai", api_key="k")
            words = " ".join(f"token{i}" for i in range(3000))
            raw = await client.chat.completions.with_raw_response.create(
                model="gpt-4o", messages=[{"role": "user", "content": words}], max_tokens=64
            )
            assert int(raw.headers["x-ctxproxy-tokens-before"]) > 3000  # it was counted
            assert calls == []
        finally:
            await proxy.runner.cleanup()
        assert app[LIFECYCLE].ready is False


def test_needed_encodings_follow_the_configured_upstreams() -> None:
    def needed(api: str, base_url: str, name: str = "up", models: tuple[str, ...] = ()) -> list[str]:
        upstreams = {name: UpstreamSettings(base_url=base_url, api=api)}  # type: ignore[arg-type]
        catalog = CatalogSettings(overrides={m: {"context_window": 8192} for m in models})
        return needed_encodings(Settings(upstreams=upstreams, catalog=catalog))

    assert needed("anthropic", "https://api.anthropic.com") == [CL100K]
    assert needed("gemini", "https://generativelanguage.googleapis.com") == [CL100K]
    assert needed("openai", "http://localhost:8000/v1", "vllm") == [CL100K]
    assert needed("openai", "https://api.openai.com/v1") == [CL100K, O200K]
    assert needed("openai", "https://x.openai.azure.com/openai") == [CL100K, O200K]
    assert needed("openai", "http://127.0.0.1:9/v1", "openai") == [CL100K, O200K]  # named openai
    assert needed("openai", "http://localhost:8000/v1", "vllm", ("gpt-4o-mini",)) == [CL100K, O200K]
    assert needed_encodings(Settings(upstreams={})) == []
