"""The cost model: per-family cache rules, and money saved on a hand-computed session."""

from __future__ import annotations

import pytest

from proxy.compress.cost import CachePricing, family_of, saving
from proxy.server.bills import Bills

M = 1e-6  # $1 per million tokens


def test_families() -> None:
    assert family_of("anthropic/claude-sonnet-4-5") == "anthropic"
    assert family_of("gpt-4.1-mini") == "openai" and family_of("o3") == "openai"
    assert family_of("gemini-2.5-flash") == "gemini"
    assert family_of("my-model", "anthropic") == "anthropic"
    assert family_of("llama-3-70b") == "other"


def test_anthropic_reads_at_a_tenth_and_writes_at_a_premium() -> None:
    p = CachePricing.of("claude-sonnet-4-5", 3 * M)
    assert p is not None and p.read == pytest.approx(0.3 * M) and p.write == pytest.approx(3.75 * M)
    # 10,000 tokens, 8,000 cached: 8,000 × 0.3 + 2,000 × 3.75 = 9,900 µ$
    assert p.request(10_000, 8_000) == pytest.approx(9_900 * M / 1)
    assert p.request(10_000, 8_000, breakpoints=False) == pytest.approx(30_000 * M)  # no marker: no cache
    assert p.request(10_000, 900) == pytest.approx(37_500 * M)  # under 1,024 tokens: not cached
    # the catalog's own prices win over the family defaults
    q = CachePricing.of("claude-x", 3 * M, 0.25 * M, 4 * M)
    assert q is not None and q.request(2_000, 1_500) == pytest.approx(1_500 * 0.25 * M + 500 * 4 * M)


def test_openai_caches_in_128_token_steps_without_a_write_premium() -> None:
    p = CachePricing.of("gpt-4o", 2.5 * M, 1.25 * M)
    assert p is not None and p.write == p.input
    # 5,000 cached → 4,992 (39 × 128) read at 1.25, 8,008 at 2.5
    assert p.request(13_000, 5_000) == pytest.approx(4_992 * 1.25 * M + 8_008 * 2.5 * M)
    assert p.request(13_000, 1_000) == pytest.approx(13_000 * 2.5 * M)
    assert CachePricing.of("gpt-4o", None) is None  # unknown price: no figure, never $0


def test_saving_compares_as_written_and_as_sent() -> None:
    p = CachePricing.of("claude-sonnet-4-5", 1 * M)
    assert p is not None
    s = saving(
        p, tokens_before=50_000, prefix_before=48_000, tokens_after=20_000, prefix_after=18_000, summary_usd=0
    )
    # without: 48,000 × 0.1 + 2,000 × 1.25 = 7,300; with: 18,000 × 0.1 + 2,000 × 1.25 = 4,300
    assert s.without_usd == pytest.approx(7_300 * M) and s.with_usd == pytest.approx(4_300 * M)
    assert s.saved == pytest.approx(3_000 * M)


def _item(i: int, size: int) -> dict[str, str]:
    return {"role": "user" if i % 2 else "assistant", "content": str(i) * size}


def test_money_saved_on_a_hand_computed_session() -> None:
    """Three requests of one conversation at $1/M, Anthropic rules; tokens = bytes / 4 here.

    1. 12,000 tokens, sent whole (first request: nothing cached) → saved 0.
    2. 16,000 tokens as written (12,000 repeat request 1); compacted to 8,000 whose first two
       items are request 1's (their share of the body's bytes × 8,000 tokens, ≈ 4,000):
       with ≈ 4,000 × 0.1 + 4,000 × 1.25 = 5,400; without = 12,000 × 0.1 + 4,000 × 1.25 = 6,200.
    3. 20,000 as written; the proxy replays request 2's items and appends one: with = (request
       2's share of 12,000) × 0.1 + the rest × 1.25; without = 16,000 × 0.1 + 4,000 × 1.25.
    """
    p = CachePricing.of("claude-sonnet-4-5", 1 * M)
    bills = Bills()
    head = [_item(0, 7_000), _item(1, 8_972)]  # the two items request 2 keeps as they were
    body1 = [*head, _item(2, 16_000)]
    one = bills.price(1, p, tokens_before=12_000, tokens_after=12_000, original=body1)
    assert one is not None and one.saved == 0
    summary = {"role": "user", "content": "digest"}
    sent2 = [*head, summary, _item(4, 15_000)]
    body2 = [*body1, _item(3, 16_000)]
    size2 = _bytes(sent2)
    two = bills.price(
        1, p, tokens_before=16_000, tokens_after=8_000, original=body2, sent=sent2, sent_bytes=size2
    )
    assert two is not None
    head_tokens = int(_bytes(head) * 8_000 / size2)
    assert two.with_usd == pytest.approx((head_tokens * 0.1 + (8_000 - head_tokens) * 1.25) * M)
    assert two.without_usd == pytest.approx((12_000 * 0.1 + 4_000 * 1.25) * M)
    sent3 = [*sent2, _item(5, 7_000)]
    size3 = _bytes(sent3)
    three = bills.price(
        1,
        p,
        tokens_before=20_000,
        tokens_after=12_000,
        original=[*body2, _item(5, 7_000)],
        sent=sent3,
        sent_bytes=size3,
    )
    assert three is not None
    shared = int(_bytes(sent2) * 12_000 / size3)
    assert three.with_usd == pytest.approx((shared * 0.1 + (12_000 - shared) * 1.25) * M)
    assert three.without_usd == pytest.approx((16_000 * 0.1 + 4_000 * 1.25) * M)
    # unknown price: memory still kept, no figure
    assert bills.price(2, None, tokens_before=10, tokens_after=10) is None


def _bytes(items: list[dict[str, str]]) -> int:
    import orjson

    return sum(len(orjson.dumps(i)) for i in items)
