"""Request-path metrics memoize ``labels(...)``: same child, same exported series."""

from __future__ import annotations

from prometheus_client import generate_latest

from proxy.observability.metrics import Metrics


def test_labels_returns_one_child_per_label_set() -> None:
    m = Metrics()
    first = m.requests.labels(upstream="openai", route="openai-chat", status="200")
    assert m.requests.labels(upstream="openai", route="openai-chat", status="200") is first
    assert m.requests.labels(upstream="openai", route="openai-chat", status="500") is not first
    # another spelling of the same label set reaches prometheus_client's own child
    assert m.requests.labels(status="200", route="openai-chat", upstream="openai") is first
    assert m.requests.labels("openai", "openai-chat", "200") is first


def test_memoized_children_are_exported() -> None:
    m = Metrics()
    for _ in range(3):
        m.requests.labels(upstream="openai", route="other", status="200").inc()
        m.overhead.labels(route="other").observe(0.0002)
    text = generate_latest(m.registry).decode()
    assert 'ctxproxy_requests_total{route="other",status="200",upstream="openai"} 3.0' in text
    assert 'ctxproxy_overhead_seconds_count{route="other"} 3.0' in text
    assert 'ctxproxy_overhead_seconds_bucket{le="0.00025",route="other"} 3.0' in text
