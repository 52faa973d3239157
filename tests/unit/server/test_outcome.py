"""The compression outcome renders the ``x-ctxproxy-*`` headers (DESIGN §3) in one place."""

from __future__ import annotations

from proxy.compress.limits import Limits
from proxy.server.hooks import Prepared
from proxy.server.outcome import CompressionOutcome
from proxy.server.overflow import Overflow
from proxy.server.overflow_retry import retry_limits


def test_passthrough_says_only_not_compressed() -> None:
    assert Prepared(b"{}").headers == {"x-ctxproxy-compressed": "0"}
    assert CompressionOutcome().log_fields() == {"compressed": False}


def test_a_compacted_then_retried_exchange() -> None:
    first = CompressionOutcome(
        compressed=True,
        context_window=128_000,
        strategy="balanced",
        tokens_before=120_000,
        tokens_after=60_000,
        stages=("truncate", "mask"),
    )
    assert first.headers() == {
        "x-ctxproxy-compressed": "1",
        "x-ctxproxy-context-window": "128000",
        "x-ctxproxy-strategy": "balanced",
        "x-ctxproxy-tokens-before": "120000",
        "x-ctxproxy-tokens-after": "60000",
        "x-ctxproxy-stages": "truncate,mask",
    }
    again = first.amend(context_window=100_000, retried="context", tokens_after=40_000)
    assert again.headers()["x-ctxproxy-retried"] == "context"
    assert again.headers()["x-ctxproxy-context-window"] == "100000"
    assert again.headers()["x-ctxproxy-stages"] == "truncate,mask"  # kept from the first attempt
    assert again.log_fields() == {"compressed": True, "tokens_before": 120_000, "tokens_after": 40_000}
    lowered = first.amend(retried="max_tokens", max_tokens=900)
    assert lowered.headers()["x-ctxproxy-max-tokens"] == "900"


def test_a_chain_reports_its_estimate_and_what_it_asked_for() -> None:
    chain = CompressionOutcome(
        context_window=200_000, strategy="balanced", tokens_before=190_000, native_compaction="truncation"
    )
    headers = chain.headers()
    assert "x-ctxproxy-tokens-after" not in headers
    assert headers["x-ctxproxy-native-compaction"] == "truncation"
    assert chain.log_fields() == {"compressed": False, "tokens_before": 190_000}


def test_retry_limits_take_the_reported_window_when_smaller() -> None:
    limits = Limits(128_000, None, 16_000)
    smaller = retry_limits(limits, Overflow("context", limit=100_000))
    assert smaller == Limits(100_000, 100_000, 16_000)
    assert retry_limits(limits, Overflow("context", limit=200_000)) is limits
    assert retry_limits(limits, Overflow("context")) is limits
