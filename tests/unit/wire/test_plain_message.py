"""OpenAI Chat's shortcut for a plain ``{"role", "content": str}`` message parses exactly as
the general path does (reached here with a ``str`` subclass, which the shortcut leaves alone)."""

from __future__ import annotations

import pytest

from proxy.wire import get_adapter


class _Text(str):
    pass


@pytest.mark.parametrize("role", ["system", "developer", "user", "assistant", "tool", "function", "other", 7])
def test_plain_message_parses_as_the_general_path(role: object) -> None:
    adapter = get_adapter("openai-chat")
    names: dict[str, str] = {}
    fast = adapter.parse_message({"role": role, "content": "some text"}, 3, names)
    general = adapter.parse_message({"role": role, "content": _Text("some text")}, 3, names)
    assert type(general.segments[0].text) is _Text  # the general path really ran
    assert fast == general
    assert not names
