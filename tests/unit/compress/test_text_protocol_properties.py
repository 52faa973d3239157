"""Property tests: agents that write their tool calls as text (OpenHands without function
calling on Chat Completions, Cline on Anthropic Messages), over generated sessions.

Whatever the window, the compressed request is valid, lands where a native session would,
keeps the task and the newest output verbatim, and never leaves an output without its marker:
a stage that masks or cuts an output writes after the marker, never over it.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from proxy.wire.text_tools import observation
from tests.unit.compress.convgen import SYSTEM, Turn, scripts
from tests.unit.compress.test_properties import (
    PROPS,
    appears_verbatim,
    checker,
    compress_checked,
    landing_bound,
    protected_tokens,
)

CLINE = {"read_file": "read_file", "run": "execute_command", "search": "search_files"}


def _path(args: str) -> str:
    return args.split('"path": "', 1)[1].split('"', 1)[0]


def openhands_text(script: list[Turn]) -> dict[str, Any]:
    """OpenHands for a model without function calling: one call an assistant message."""
    msgs: list[dict[str, Any]] = [{"role": "system", "content": SYSTEM}]
    for turn in script:
        if turn[0] in ("user", "assistant"):
            msgs.append({"role": turn[0], "content": turn[1]})
            continue
        for name, args, output in turn[1]:
            call = f"<function={name}>\n<parameter=path>{_path(args)}</parameter>\n</function>"
            msgs.append({"role": "assistant", "content": f"{turn[2] or 'Next.'}\n\n{call}"})
            msgs.append({"role": "user", "content": f"EXECUTION RESULT of [{name}]:\n{output}"})
    return {"model": "gpt-4o-mini", "messages": msgs}


def cline_anthropic(script: list[Turn]) -> dict[str, Any]:
    """Cline on Anthropic Messages: XML calls, outputs as text blocks after a result line."""
    msgs: list[dict[str, Any]] = []

    def add(role: str, content: Any) -> None:
        if msgs and msgs[-1]["role"] == role:  # roles alternate: a short turn between
            msgs.append({"role": "assistant" if role == "user" else "user", "content": "Go on."})
        msgs.append({"role": role, "content": content})

    for turn in script:
        if turn[0] in ("user", "assistant"):
            add(turn[0], [{"type": "text", "text": turn[1]}])
            continue
        for name, args, output in turn[1]:
            tool, path = CLINE[name], _path(args)
            add("assistant", f"{turn[2] or 'Next.'}\n\n<{tool}>\n<path>{path}</path>\n</{tool}>")
            result = {"type": "text", "text": f"[{tool} for '{path}'] Result:"}
            add("user", [result, {"type": "text", "text": output}])
    system = [{"type": "text", "text": SYSTEM, "cache_control": {"type": "ephemeral"}}]  # as Cline caches
    return {"model": "claude-sonnet-4-5", "max_tokens": 1024, "system": system, "messages": msgs}


RENDER = {"openai-chat": openhands_text, "anthropic": cline_anthropic}


def _first_text(msg: dict[str, Any]) -> str:
    content = msg["content"]
    if isinstance(content, str):
        return content
    return next((b["text"] for b in content if b.get("type") == "text"), "")


@pytest.mark.parametrize("api", list(RENDER))
@PROPS
@given(script=scripts(), window=st.sampled_from([3000, 6000, 12000, 40000]))
async def test_calls_written_as_text_compress_validly_and_keep_their_markers(
    api: str, script: list[Any], window: int
) -> None:
    body = RENDER[api](script)
    model = body["model"]
    compactor, result, sent = await compress_checked(api, body, window)
    assert result.tokens_after == checker().count_request(api, sent, model)
    protected, protected_items = protected_tokens(api, body, compactor, model)
    if protected + 64 <= result.target_tokens and result.compressed:
        assert result.tokens_after <= landing_bound(protected, result.target_tokens)
        for item in protected_items:  # the task and the newest turns (the newest call's output
            assert appears_verbatim(api, item, sent["messages"])  # unless a person spoke since)
    # no output lost its marker: every user message is the task, a summary, a person's text,
    # or an output that still opens with its marker
    originals = {_first_text(m) for m in body["messages"] if m["role"] == "user"}
    for msg in sent["messages"]:
        first = _first_text(msg).lstrip()
        if msg["role"] != "user" or observation(_first_text(msg)) or first in originals:
            continue
        assert not first.startswith(("[ctxproxy: output of", "[… ctxproxy cut")), first[:120]
