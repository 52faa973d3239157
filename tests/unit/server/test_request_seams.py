"""The request-side seams of forwarding, alone: the request id, the chat body's JSON, the
``?key=`` placeholder. (Through a real proxy they are covered by tests/integration and
tests/robustness; these pin the exact rules.)"""

from __future__ import annotations

import orjson
import pytest

from proxy.server.errors import ProxyError
from proxy.server.outgoing import without_key_param
from proxy.server.request_body import MAX_DEPTH, parse_chat
from proxy.server.request_id import request_id_from


@pytest.mark.parametrize("given", ["my-req-1", "a.b_c:d@e/f+g=h", "x" * 128, "0"])
def test_request_id_keeps_a_plain_token(given: str) -> None:
    assert request_id_from(given) == given


@pytest.mark.parametrize(
    "given", [None, "", "x" * 129, "id with spaces", "a\nb", 'quote"', "semi;colon", "mödel", "a\x00b"]
)
def test_request_id_replaces_anything_else(given: str | None) -> None:
    made = request_id_from(given)
    assert made != given
    assert len(made) == 32 and int(made, 16) >= 0  # a uuid4 hex
    assert request_id_from(given) != made  # a new one each time


def test_parse_chat_returns_the_object() -> None:
    raw = b'{"model": "m", "messages": [{"role": "user", "content": "hi"}]}'
    assert parse_chat(raw) == orjson.loads(raw)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "request body is not valid JSON: "),
        (b"{not json", "request body is not valid JSON: "),
        (b'{"a": 1', "request body is not valid JSON: "),
        (b"[1, 2]", "request body must be a JSON object"),
        (b'"text"', "request body must be a JSON object"),
        (b"null", "request body must be a JSON object"),
    ],
)
def test_parse_chat_refuses_what_is_not_a_json_object(raw: bytes, message: str) -> None:
    with pytest.raises(ProxyError) as err:
        parse_chat(raw)
    assert (err.value.status, err.value.code) == (400, "invalid_json")
    assert err.value.message.startswith(message)


def _nested(levels: int) -> bytes:
    """An object ``levels`` deep: {"a": [[...[]...]]} with ``levels - 1`` lists inside."""
    return b'{"a": ' + b"[" * (levels - 1) + b"]" * (levels - 1) + b"}"


def test_parse_chat_accepts_the_deepest_body_orjson_can_write() -> None:
    raw = _nested(MAX_DEPTH)
    assert raw.count(b"[") + raw.count(b"{") == MAX_DEPTH
    assert orjson.dumps(parse_chat(raw)) == raw.replace(b" ", b"")


def test_parse_chat_accepts_many_brackets_that_are_not_deep() -> None:
    raw = orjson.dumps({"messages": [{"content": "[{" * 400}] * 3, "list": [[]] * 300})
    assert parse_chat(raw)["list"] == [[]] * 300


def test_parse_chat_refuses_a_body_too_deep_to_write_back() -> None:
    with pytest.raises(ProxyError) as err:
        parse_chat(_nested(MAX_DEPTH + 1))
    assert (err.value.status, err.value.code) == (400, "invalid_json")
    assert err.value.message == f"request body is nested deeper than {MAX_DEPTH} levels"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("key=placeholder", ""),
        ("alt=sse&key=placeholder", "alt=sse"),
        ("key=a&alt=sse&key=b", "alt=sse"),
        ("apikey=x&key=y", "apikey=x"),
        ("alt=sse&&x=1", "alt=sse&x=1"),
        ("", ""),
    ],
)
def test_without_key_param_drops_only_the_key(query: str, expected: str) -> None:
    assert without_key_param(query) == expected
