"""A base URL written with the provider's version segment (``http://HOST/openai/v1``) reaches the
upstream once, not as ``/v1/v1/…``: collapsed, and logged once per upstream at info."""

from __future__ import annotations

import orjson
import pytest

from tests.fakes.transport import FakeState
from tests.integration.conftest import Running, SdkClients

MESSAGES = [{"role": "user", "content": "hi"}]


@pytest.fixture(autouse=True)
def _keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_OPENAI_KEY", "sk-real-openai")
    monkeypatch.setenv("FAKE_ANTHROPIC_KEY", "sk-ant-real")


@pytest.mark.parametrize("prefix", ["/openai/v1", "/agent/a/openai/v1", "/v1/v1"])
async def test_openai_sdk_with_v1_in_its_base_url(
    prefix: str, sdk: SdkClients, proxy: Running, fake_state: FakeState, captured_logs: object
) -> None:
    client = sdk.openai(proxy.url + prefix, api_key="unused")
    for _ in range(2):
        done = await client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)  # type: ignore[arg-type]
        assert done.choices[0].message.content == "Hello from fake"
        assert fake_state.seen[-1].path == "/v1/chat/completions"
    notes = [
        line
        for line in (orjson.loads(x) for x in captured_logs.getvalue().splitlines() if x.startswith("{"))  # type: ignore[attr-defined]
        if line.get("event") == "route.version_collapsed"
    ]
    assert len(notes) == 1 and notes[0]["level"] == "info", notes  # once, not per request
    assert notes[0]["upstream"] == "openai" and notes[0]["segment"] == "v1"


async def test_anthropic_sdk_with_v1_in_its_base_url(
    sdk: SdkClients, proxy: Running, fake_state: FakeState
) -> None:
    client = sdk.anthropic(proxy.url + "/anthropic/v1", api_key="unused")
    message = await client.messages.create(model="claude-sonnet-4-5", max_tokens=64, messages=MESSAGES)  # type: ignore[arg-type]
    assert message.content
    assert fake_state.seen[-1].path == "/v1/messages"


async def test_the_usual_base_urls_are_unchanged(
    sdk: SdkClients, proxy: Running, fake_state: FakeState
) -> None:
    await sdk.openai(proxy.url + "/openai", api_key="unused").chat.completions.create(
        model="gpt-4o-mini",
        messages=MESSAGES,  # type: ignore[arg-type]
    )
    assert fake_state.seen[-1].path == "/v1/chat/completions"
    await sdk.anthropic(proxy.url + "/anthropic", api_key="unused").messages.create(
        model="claude-sonnet-4-5",
        max_tokens=64,
        messages=MESSAGES,  # type: ignore[arg-type]
    )
    assert fake_state.seen[-1].path == "/v1/messages"
