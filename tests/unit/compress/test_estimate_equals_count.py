"""The pre-flight estimate of a conversation seen for the first time is its full count, for
every API, short (counted item by item) or long (remembered for the next request)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from proxy.compress import TokenCounter
from proxy.compress.tokens import count_images
from tests.unit.compress.convgen import RENDER, scripts

COUNTER = TokenCounter()
MODELS = {"openai-chat": "gpt-4o", "openai-responses": "gpt-4o", "anthropic": "claude-sonnet-4-5"}


@pytest.mark.parametrize("api", list(RENDER))
@pytest.mark.parametrize("images", [False, True])
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(script=scripts(max_turns=6))
async def test_first_estimate_is_the_full_count(api: str, images: bool, script: list[Any]) -> None:
    body = RENDER[api](script, images=images)
    model = MODELS.get(api, "gemini-2.5-flash")
    scope = f"{id(body)}"  # a conversation this counter has not seen
    assert await COUNTER.estimate_request(api, body, model, scope=scope) == COUNTER.count_request(
        api, body, model
    )


def test_count_images_finds_every_kind_of_image_part() -> None:
    items = [
        {"role": "user", "content": [{"type": "image_url", "image_url": {"url": "u"}}, {"type": "text"}]},
        {"role": "user", "parts": [{"inlineData": {}}, {"file_data": {}}, {"text": "x"}]},
        {"type": "function_call_output", "output": [{"type": "input_image"}, {"type": "input_text"}]},
        {
            "role": "user",
            "content": [{"type": "tool_result", "content": [{"type": "image"}, {"type": "text"}]}],
        },
        {"role": "user", "content": [{"type": ["image"]}, {"fileData": {}, "type": "x"}, "image"]},
        {"role": "assistant", "content": "an image, in words"},
        "not an item",
    ]
    assert count_images(items) == 6
    assert count_images("not a list") == 0


async def test_a_chat_messages_name_is_counted_as_openai_counts_it() -> None:
    """A participant's ``name`` (AutoGen, a group chat) is sent to the model: its tokens and one
    more a message, on the count and on the pre-flight estimate alike."""
    plain = [{"role": "user", "content": f"I walked to the lake with my dog, day {i}."} for i in range(40)]
    named = [{**m, "name": "Caroline_Van_Rossi"} for m in plain]
    enc = COUNTER.encoding("gpt-4o")
    per_name = len(enc.encode("Caroline_Van_Rossi")) + 1
    counts = [
        COUNTER.count_request("openai-chat", {"model": "gpt-4o", "messages": m}, "gpt-4o")
        for m in (plain, named)
    ]
    assert counts[1] - counts[0] == 40 * per_name
    body = {"model": "gpt-4o", "messages": named}
    assert await COUNTER.estimate_request("openai-chat", body, "gpt-4o", scope="named") == counts[1]
    # the Anthropic and Responses wires have no such field: a ``name`` key there is not counted
    anthropic = [{**m, "name": "Caroline"} for m in plain]
    assert COUNTER.count_request(
        "anthropic",
        {"model": "claude-sonnet-4-5", "max_tokens": 64, "messages": anthropic},
        "claude-sonnet-4-5",
    ) == COUNTER.count_request(
        "anthropic", {"model": "claude-sonnet-4-5", "max_tokens": 64, "messages": plain}, "claude-sonnet-4-5"
    )
