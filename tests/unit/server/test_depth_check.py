"""The memoized depth check: the same verdict as writing the whole body, for a first request,
a resent history and the next turn."""

from __future__ import annotations

from typing import Any

import pytest

from proxy.server.depth import DepthCheck
from proxy.server.errors import ProxyError
from proxy.server.request_body import MAX_DEPTH, check_depth

API = "openai-chat"
RAW = b"x" * 4096  # only the length of the raw body matters to the check (long enough)


def _history(turns: int = 12) -> list[dict[str, Any]]:
    return [
        {"role": "user" if i % 2 == 0 else "assistant", "content": f"turn {i} " + "text " * 40}
        for i in range(turns)
    ]


def _deep_item(levels: int) -> dict[str, Any]:
    """A message whose content nests so that the whole body is ``levels`` deep: body (1),
    messages (2), the message (3), then ``levels - 3`` lists."""
    value: Any = []
    for _ in range(levels - 4):
        value = [value]
    return {"role": "user", "content": value}


def _verdict(check: DepthCheck, body: dict[str, Any], scope: str = "agent") -> bool:
    try:
        check.check(RAW, body, API, scope)
    except ProxyError as err:
        assert (err.status, err.code) == (400, "invalid_json")
        assert "nested deeper than 254 levels" in err.message
        return False
    return True


def _reference(body: dict[str, Any]) -> bool:
    try:
        check_depth(RAW, body)
    except ProxyError:
        return False
    return True


@pytest.mark.parametrize("levels", [MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1, 300])
def test_first_request_matches_writing_the_whole_body(levels: int) -> None:
    body = {"model": "m", "messages": [*_history(), _deep_item(levels)]}
    assert _verdict(DepthCheck(), body) == _reference(body) == (levels <= MAX_DEPTH)


@pytest.mark.parametrize("levels", [MAX_DEPTH, MAX_DEPTH + 1])
def test_the_next_turn_checks_the_new_items_at_their_depth_in_the_body(levels: int) -> None:
    check, history = DepthCheck(), _history()
    assert _verdict(check, {"model": "m", "messages": history})
    assert _verdict(check, {"model": "m", "messages": history})  # the resend
    body = {"model": "m", "messages": [*history, _deep_item(levels)]}
    assert _verdict(check, body) == _reference(body) == (levels <= MAX_DEPTH)


def test_a_refused_turn_is_not_remembered_and_top_level_fields_are_always_checked() -> None:
    check, history = DepthCheck(), _history()
    deep = {"model": "m", "messages": [*history, _deep_item(300)]}
    assert not _verdict(check, deep)
    assert not _verdict(check, deep)  # its items were never recorded as checked
    assert _verdict(check, {"model": "m", "messages": history})
    nested_tools = {"model": "m", "messages": history, "tools": _deep_item(300)}
    assert not _verdict(check, nested_tools)


def test_short_histories_and_small_bodies_are_checked_whole() -> None:
    check = DepthCheck()
    short = {"model": "m", "messages": [_deep_item(MAX_DEPTH + 1)]}
    assert not _verdict(check, short)
    check.check(b"{}", {}, API, "agent")  # too short to nest: nothing to write


def _shape_verdict(check: DepthCheck, body: dict[str, Any]) -> str | None:
    """None when the body passes the depth and shape checks, else the 400's message."""
    try:
        check.check(RAW, body, API, "agent", shape=True)
    except ProxyError as err:
        assert (err.status, err.code) == (400, "invalid_request")
        return err.message
    return None


def test_the_shape_check_of_the_next_turn_names_the_new_item_at_its_index_in_the_body() -> None:
    check, history = DepthCheck(), _history()
    assert _shape_verdict(check, {"model": "m", "messages": history}) is None
    bad = {"model": "m", "messages": [*history, {"role": ["user"], "content": "x"}]}
    message = _shape_verdict(check, bad)
    assert message is not None and f"messages[{len(history)}].role" in message
    assert _shape_verdict(check, bad) == message  # a refused turn is not remembered
    assert (
        _shape_verdict(check, {"model": "m", "messages": [*history, {"role": "user", "content": "y"}]})
        is None
    )


def test_the_shape_check_refuses_a_first_request_and_always_checks_the_top_level() -> None:
    check, history = DepthCheck(), _history()
    first = {"model": "m", "messages": [{"role": "user", "tool_calls": 5}, *history]}
    assert _shape_verdict(check, first) is not None
    assert _shape_verdict(check, {"model": "m", "messages": history}) is None
    assert _shape_verdict(check, {"model": "m", "messages": history}) is None  # the resend
    short = {"model": "m", "messages": [{"role": "user", "content": 5}]}
    assert _shape_verdict(DepthCheck(), short) is not None
    anthropic = DepthCheck()
    for system in ("be brief", 5):  # a resent history with a malformed top-level field
        try:
            anthropic.check(
                RAW, {"model": "m", "system": system, "messages": history}, "anthropic", "a", shape=True
            )
        except ProxyError as err:
            assert system == 5 and err.code == "invalid_request" and "system" in err.message
        else:
            assert system == "be brief"
