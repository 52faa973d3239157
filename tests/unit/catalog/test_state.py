from proxy.catalog.model import SourceModel
from proxy.catalog.state import SourceState


def models(*ids: str) -> list[SourceModel]:
    return [SourceModel(id=i, context_window=1000) for i in ids]


def test_removed_only_after_two_consecutive_successful_misses() -> None:
    state = SourceState("native:x")
    state.apply(models("a", "b"), 1.0, "t1", track=True)
    state.apply(models("a"), 2.0, "t2", track=True)
    assert set(state.models) == {"a", "b"}  # one miss: still there
    state.apply(models("a", "b"), 3.0, "t3", track=True)
    assert state.misses == {}  # back: the count restarts
    state.apply(models("a"), 4.0, "t4", track=True)
    state.apply(models("a"), 5.0, "t5", track=True)
    assert set(state.models) == {"a"}
    assert state.first_seen["a"] == "t1" and state.last_seen["a"] == "t5"


def test_failures_do_not_count_as_misses() -> None:
    state = SourceState("native:x")
    state.apply(models("a", "b"), 1.0, "t1", track=True)
    state.apply(models("a"), 2.0, "t2", track=True)
    state.fail("http_5xx", 3.0)
    state.fail("timeout", 4.0)
    assert set(state.models) == {"a", "b"} and state.failures == 2
    state.apply(models("a"), 5.0, "t5", track=True)
    assert set(state.models) == {"a"} and state.failures == 0


def test_third_party_replaced_wholesale_and_snapshot_roundtrip() -> None:
    state = SourceState("models_dev")
    state.apply([SourceModel(id="a", provider="p", aliases=("x",))], 1.0, "t", track=False)
    state.apply([SourceModel(id="b", provider="p")], 2.0, "t", track=False)
    assert list(state.models) == ["p|b"]
    again = SourceState.from_snapshot(state.to_snapshot())
    assert again.models == state.models and again.fetched_at == 2.0
