"""What the token counter keeps between requests is small and bounded."""

from __future__ import annotations

from typing import Any

from proxy.compress import TokenCounter


def chat(n: int, tag: str) -> dict[str, Any]:
    return {"messages": [{"role": "user", "content": f"{tag} message {i} " * 30} for i in range(n)]}


async def test_memo_holds_integers_not_texts_and_is_bounded() -> None:
    counter = TokenCounter(cache_size=1000)
    for r in range(300):
        await counter.estimate_request("openai-chat", chat(5, f"r{r}"), "gpt-4o")
    assert len(counter._memo) <= 1000
    assert all(type(k) is int and type(v) is int for k, v in counter._memo.items())


async def test_incremental_records_are_bounded_and_hold_no_items() -> None:
    counter = TokenCounter()
    counter.conversations.max_size = 50
    for r in range(120):
        await counter.estimate_request("openai-chat", chat(10, f"c{r}"), "gpt-4o", scope=f"a{r}")
    assert 0 < len(counter.conversations) <= 50
    seen = counter.conversations.records()[0]
    assert isinstance(seen.samples, int)


async def test_unhashable_ids_in_sampled_items_are_counted_not_raised() -> None:
    counter = TokenCounter()
    body = chat(10, "x")
    body["messages"][5]["tool_call_id"] = {"not": "a string"}
    first = await counter.estimate_request("openai-chat", body, "gpt-4o")
    body["messages"].append({"role": "user", "content": "more"})
    assert await counter.estimate_request("openai-chat", body, "gpt-4o") > first
