"""/readyz waits for the tokenizer encodings the upstreams need.

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
    """Every encoding load the proxy asks for, by name; a load in the main thread (where the
    test's event loop runs) is recorded as ``NAME in the event loop``."""
    gate, calls = threading.Event(), []
    real = encodings.load_encoding

    def load_encoding(name: str, tokenizer_dir: Path | None) -> tiktoken.Encoding:
        on_loop = threading.current_thread() is threading.main_thread()
        calls.append(f"{name} in the event loop" if on_loop else name)
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
            assert calls == [O200K]  # o200k counts every family; cl100k is not loaded
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

            # OpenAI's pre-gpt-4o models are counted with cl100k: the first such request loads
            # it, once, in a worker thread; the next one (another cl100k model) loads nothing.
            for model in ("gpt-3.5-turbo", "gpt-3.5-turbo-0125"):
                raw = await client.chat.completions.with_raw_response.create(
                    model=model, messages=[{"role": "user", "content": words}], max_tokens=64
                )
                assert int(raw.headers["x-ctxproxy-tokens-before"]) > 3000
            assert calls == [CL100K]
        finally:
            await proxy.runner.cleanup()
        assert app[LIFECYCLE].ready is False


def test_needed_encodings_follow_the_configured_upstreams() -> None:
    def needed(api: str, base_url: str, name: str = "up", models: tuple[str, ...] = ()) -> list[str]:
        upstreams = {name: UpstreamSettings(base_url=base_url, api=api)}  # type: ignore[arg-type]
        catalog = CatalogSettings(overrides={m: {"context_window": 8192} for m in models})
        return needed_encodings(Settings(upstreams=upstreams, catalog=catalog))

    # o200k counts OpenAI's current models and approximates every other family
    assert needed("anthropic", "https://api.anthropic.com") == [O200K]
    assert needed("gemini", "https://generativelanguage.googleapis.com") == [O200K]
    assert needed("openai", "http://localhost:8000/v1", "vllm") == [O200K]
    assert needed("openai", "https://api.openai.com/v1") == [O200K]
    assert needed("openai", "https://x.openai.azure.com/openai") == [O200K]
    assert needed("openai", "http://localhost:8000/v1", "vllm", ("gpt-4o-mini",)) == [O200K]
    # cl100k only when the config names one of OpenAI's models from before gpt-4o
    assert needed("openai", "https://api.openai.com/v1", "openai", ("gpt-4",)) == [CL100K, O200K]
    assert needed("anthropic", "https://api.anthropic.com", "a", ("azure/gpt-35-turbo",)) == [CL100K, O200K]
    assert needed_encodings(Settings(upstreams={})) == []
