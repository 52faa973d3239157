"""The token layer's small parts: the bounded memo, the memo key, the resent-history record."""

from __future__ import annotations

from typing import Any

from proxy.compress.tokens import BoundedMemo, SeenConversations, count_images, memo_key
from proxy.compress.tokens.text import SHORT


def test_memo_keeps_what_is_used_and_forgets_what_is_not() -> None:
    memo = BoundedMemo(8)  # two generations of 4
    for k in range(4):
        memo.put(k, k * 10)
    for k in range(4, 8):  # the first four are now the old generation
        memo.put(k, k * 10)
    assert len(memo) == 8
    assert memo.get(1) == 10  # a hit in the old generation moves it to the young one
    for k in range(8, 11):
        memo.put(k, k * 10)
    assert 1 in memo and memo.get(1) == 10  # used: kept
    assert 0 not in memo and 2 not in memo and 3 not in memo  # not used since: forgotten
    assert memo.get(0) is None
    assert len(memo) <= 8
    assert memo.hits == 2 and memo.misses == 1


def test_memo_never_holds_more_than_its_size() -> None:
    memo = BoundedMemo(10)
    for k in range(1000):
        memo.put(k, k)
        memo.get(k // 2)
        assert len(memo) <= 10
    assert dict(memo.items())[999] == 999


def test_a_tiny_memo_still_holds_the_newest() -> None:
    memo = BoundedMemo(1)
    for k in range(5):
        memo.put(k, k)
        assert dict(memo.items()) == {k: k}


def test_memo_keys_separate_encodings_and_short_texts_exactly() -> None:
    assert memo_key("a", "hello") != memo_key("b", "hello")
    assert memo_key("a", "hello") != memo_key("a", "hellp")
    long = "x" * (SHORT * 4)
    assert memo_key("a", long) == memo_key("a", "x" * (SHORT * 4))
    assert memo_key("a", long) != memo_key("a", long + "x")  # the length is in the key


def items(n: int, tag: str = "") -> list[dict[str, Any]]:
    return [{"role": "user", "content": f"{tag}message {i}"} for i in range(n)]


def test_a_resent_history_resumes_after_its_last_request() -> None:
    seen = SeenConversations()
    first = items(10)
    key = seen.key("openai-chat", "cl100k_base", "", first)
    assert seen.resume(key, first) == (0, 0)
    seen.remember(key, first, 123)
    longer = [*first, *items(3, "new ")]
    assert seen.key("openai-chat", "cl100k_base", "", longer) == key
    assert seen.resume(key, longer) == (10, 123)
    assert seen.resume(key, first[:9]) == (0, 0)  # shorter: not a resend


def test_an_edited_sampled_item_is_counted_again() -> None:
    seen = SeenConversations()
    first = items(10)
    key = seen.key("openai-chat", "cl100k_base", "", first)
    seen.remember(key, first, 123)
    edited = [dict(item) for item in first]
    edited[9]["content"] = "rewritten"
    assert seen.resume(key, edited) == (0, 0)


def test_records_are_bounded_and_cleared_when_full() -> None:
    seen = SeenConversations(max_size=3)
    for c in range(7):
        conv = items(10, f"c{c} ")
        seen.remember(seen.key("openai-chat", "cl100k_base", str(c), conv), conv, c)
        assert 1 <= len(seen) <= 3
    assert [r.raw_items for r in seen.records()] == [6]


def test_images_are_found_two_levels_deep() -> None:
    tool_result = {"type": "tool_result", "content": [{"type": "image", "source": {}}]}
    body = [
        {"role": "user", "content": [{"type": "text", "text": "t"}, {"type": "image_url", "image_url": {}}]},
        {"role": "user", "content": [tool_result]},
        {"role": "user", "parts": [{"inlineData": {"data": "…"}}]},
        {"role": "user", "content": "plain"},
        {"role": "user", "content": [{"type": ["not", "a", "string"]}]},
    ]
    assert count_images(body) == 3
    assert count_images({"not": "a list"}) == 0


def test_an_image_costs_what_its_chat_api_declares() -> None:
    from proxy.compress import TokenCounter
    from proxy.wire import CHAT_APIS

    counter = TokenCounter()
    text = {"type": "text", "text": "look"}
    image = {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "AAAA"}}
    plain = {"max_tokens": 8, "messages": [{"role": "user", "content": [text]}]}
    with_image = {"max_tokens": 8, "messages": [{"role": "user", "content": [text, image]}]}
    model = "gpt-4o"  # factor 1.0: the difference is the raw image price
    before = counter.count_request("anthropic", plain, model)
    assert (
        counter.count_request("anthropic", with_image, model) - before
        == CHAT_APIS["anthropic"].image_tokens
        == 1600
    )
