"""Adding a chat API is one module plus one registry line: the router, the error dialect, the
usage tap, agent identity, the token counter, the invariants and the compactor all find it
through ``CHAT_APIS``. The example is the one in docs/architecture.md."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from proxy.compress.invariants import violations
from proxy.server.identity import prompt_anchor
from proxy.server.routing import chat_api_for, error_shape_for
from proxy.server.usage import Usage, UsageTap
from proxy.wire import CHAT_APIS, api_for_path, get_adapter
from proxy.wire.families import FamilyName
from proxy.wire.openai_chat import OpenAIChatAdapter


class MistralChatAdapter(OpenAIChatAdapter):
    """Mistral's ``/v1/chat`` dialect (the docs' example): OpenAI-shaped messages, its own path."""

    api = "mistral-chat"
    family: FamilyName = "openai"
    path_suffixes: tuple[str, ...] = ("agents/completions",)

    def max_tokens_key(self, body: dict[str, Any]) -> str | None:
        return "max_tokens" if "max_tokens" in body else None


@pytest.fixture
def registered(monkeypatch: pytest.MonkeyPatch) -> MistralChatAdapter:
    adapter = MistralChatAdapter()
    monkeypatch.setitem(CHAT_APIS, adapter.api, adapter)  # the "one registry line"
    return adapter


def test_every_consumer_finds_the_new_api(registered: MistralChatAdapter) -> None:
    assert api_for_path("v1/agents/completions") == "mistral-chat"
    assert chat_api_for("POST", "v1/agents/completions") == "mistral-chat"
    assert error_shape_for("mistral-chat", "anthropic") == "openai"
    assert get_adapter("mistral-chat") is registered
    body = {
        "model": "mistral-large",
        "messages": [{"role": "system", "content": "S"}, {"role": "user", "content": "U"}],
    }
    assert prompt_anchor("mistral-chat", body) == ("S", "U")
    assert violations("mistral-chat", body) == set()
    conv = registered.parse(body)
    assert registered.render(conv)["messages"] == body["messages"]

    seen: list[Usage] = []
    tap = UsageTap("mistral-chat", seen.append)
    tap.feed(b'{"usage": {"prompt_tokens": 12, "completion_tokens": 3}}')
    tap.finish(200)
    assert (seen[0].input_tokens, seen[0].output_tokens) == (12, 3)


async def test_the_compactor_compresses_it(registered: MistralChatAdapter) -> None:
    from proxy.compress.compactor import Compactor
    from proxy.compress.limits import Limits
    from proxy.config import Settings

    big = "log line with numbers 12345 and words\n" * 400
    messages: list[dict[str, Any]] = [{"role": "system", "content": "You are terse."}]
    for i in range(12):
        messages.append({"role": "user", "content": f"step {i}: {big}"})
        messages.append({"role": "assistant", "content": f"done {i}"})
    messages.append({"role": "user", "content": "and now?"})
    body = {"model": "gpt-4o", "messages": messages}
    compactor = Compactor(Settings().compression)
    raw = orjson.dumps(body)
    decision = await compactor.decide(raw, body, "mistral-chat", "gpt-4o", Limits(16_000, None, 1_000), "a1")
    result = decision.result
    assert result is not None and result.compressed and result.body is not None
    assert result.tokens_after < result.tokens_before
    assert violations("mistral-chat", result.body) == set()
