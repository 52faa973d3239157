"""Agents that write their tool calls as text (OpenHands' format for models without function
calling; Cline's): through the proxy to a strict fake with a small window, driven by the real
SDKs.

The agent sends no ``tools``; each call is ``<function=read_file>…</function>`` in the
assistant's text and each output a user message opened by ``EXECUTION RESULT of
[read_file]:``. The proxy must read those outputs as tool outputs: mask the old ones, keep each
marker in front of what it leaves, and keep the task and the newest output verbatim.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from tests.fakes.strict import AnthropicFake, FakeRequest, OpenAIChatFake, Reply
from tests.integration.conftest import SdkClients
from tests.integration.livekit import WINDOW, settings_for, tool_output

TURNS = 24
MARKER = "EXECUTION RESULT of [read_file]:\n"
TASK = "Audit every module under src/pkg and report the request ids."


def _next_module(request: FakeRequest) -> int:
    """The module after the one whose output the request ends with (0 first)."""
    read = re.search(r"src/pkg/module_(\d+)\.py:0:", request.last_user_text)
    return int(read.group(1)) + 1 if read else 0


def reading(call: Callable[[int], str]) -> Callable[[FakeRequest], Reply]:
    """A script: the call ``call(n)`` for module N until ``TURNS`` modules are read, then an answer."""

    def script(request: FakeRequest) -> Reply:
        done = _next_module(request)
        if done >= TURNS:
            return Reply(text="All modules read.")
        return Reply(text=f"Reading the next module.\n\n{call(done)}")

    return script


text_calls = reading(
    lambda n: f"<function=read_file>\n<parameter=path>src/pkg/module_{n}.py</parameter>\n</function>"
)
cline_calls = reading(lambda n: f"<read_file>\n<path>src/pkg/module_{n}.py</path>\n</read_file>")


async def test_text_protocol_outputs_are_masked_with_their_markers(
    sdk: SdkClients, make_proxy: Any, tmp_path: Any
) -> None:
    async with OpenAIChatFake(window=WINDOW, script=text_calls) as fake:
        proxy = await make_proxy(
            settings_for(
                {"fake": {"base_url": fake.base_url, "api": "openai", "api_key_env": None}}, tmp_path
            )
        )
        client = sdk.openai(f"{proxy.url}/fake", api_key="k")
        messages: list[dict[str, Any]] = [
            {"role": "system", "content": "You are a coding agent. Call read_file as <function=read_file>."},
            {"role": "user", "content": TASK},
        ]
        compressed = 0
        for turn in range(TURNS):
            raw = await client.chat.completions.with_raw_response.create(
                model="small-model", messages=messages, max_tokens=256
            )
            compressed += raw.headers["x-ctxproxy-compressed"] == "1"
            reply = raw.parse().choices[0].message.content or ""
            assert "<function=read_file>" in reply
            messages.append({"role": "assistant", "content": reply})
            messages.append({"role": "user", "content": MARKER + tool_output(turn)})
        assert not fake.invalid and not fake.overflows
        assert compressed >= TURNS // 2
        sent = fake.ok[-1].body["messages"]
        every = [m for r in fake.ok for m in r.body["messages"] if m["role"] == "user"]
    users = [m["content"] for m in sent if m["role"] == "user"]
    assert users[0] == TASK  # the task, verbatim
    outputs = [u for u in users[1:] if not u.startswith("[ctxproxy: summary")]
    # every output the proxy left keeps its marker in front; the old ones are placeholders
    assert outputs and all(u.startswith(MARKER) for u in outputs)
    # old outputs were masked or cut on the way (and later folded into the summary), and each
    # kept its marker in front of what the proxy left
    shortened = [
        m["content"] for m in every if m["content"].startswith(MARKER) and "ctxproxy" in m["content"]
    ]
    assert shortened and all(len(c) < len(MARKER + tool_output(0)) for c in shortened)
    assert not any(m["content"].lstrip().startswith(("[ctxproxy: output", "[… ctxproxy")) for m in every)
    assert outputs[-1] == MARKER + tool_output(TURNS - 2)  # the newest output it was sent, verbatim
    # a call written as text is never cut out of the assistant turn that made it
    assert all("<function=read_file>" in m["content"] for m in sent if m["role"] == "assistant")


CLINE_MARKER = "[read_file for 'src/pkg/module_{n}.py'] Result:"


async def test_cline_on_anthropic_messages_keeps_its_result_lines(
    sdk: SdkClients, make_proxy: Any, tmp_path: Any
) -> None:
    """Cline on Anthropic Messages: each output a user message of text blocks, the first
    ``[read_file for 'path'] Result:``; the proxy cuts the output block, never the marker's."""
    async with AnthropicFake(window=WINDOW, script=cline_calls) as fake:
        proxy = await make_proxy(
            settings_for(
                {"fake": {"base_url": fake.base_url, "api": "anthropic", "api_key_env": None}}, tmp_path
            )
        )
        client = sdk.anthropic(f"{proxy.url}/fake", api_key="k")
        messages: list[dict[str, Any]] = [{"role": "user", "content": [{"type": "text", "text": TASK}]}]
        for turn in range(TURNS):
            raw = await client.messages.with_raw_response.create(
                model="small-model",
                max_tokens=256,
                system="You are Cline. Call tools as XML, one a message.",
                messages=messages,  # type: ignore[arg-type]
            )
            reply = (await raw.parse()).content[0].text  # type: ignore[union-attr]
            assert "<read_file>" in reply
            messages.append({"role": "assistant", "content": reply})
            blocks = [
                {"type": "text", "text": CLINE_MARKER.format(n=turn)},
                {"type": "text", "text": tool_output(turn)},
            ]
            messages.append({"role": "user", "content": blocks})
        assert not fake.invalid and not fake.overflows, [r.error for r in fake.invalid]
        every = [m for r in fake.ok for m in r.body["messages"] if m["role"] == "user"]
        sent = fake.ok[-1].body["messages"]
    outputs = [
        m["content"]
        for m in every
        if isinstance(m["content"], list) and "] Result:" in m["content"][0]["text"]
    ]
    # every output keeps its marker block whole; some were masked or cut on the way
    assert outputs and all(o[0]["text"].startswith("[read_file for 'src/pkg/module_") for o in outputs)
    assert any("ctxproxy" in o[1]["text"] for o in outputs)
    # the summary reads the folded calls as calls (``read_file src/pkg/module_3.py → 60 lines``)
    # and their outputs as the tool's, not as XML and what the user said
    summary = "\n".join(b["text"] for b in sent[0]["content"][1:])
    assert "[ctxproxy: summary" in summary and "read_file src/pkg/module_" in summary
    assert "<path>" not in summary and "user: " not in summary  # (the task is the only user turn, kept)
    assert sent[0]["content"][0]["text"] == TASK  # the task, verbatim
    newest = sent[-1]["content"]
    assert newest[1]["text"] == tool_output(TURNS - 2)  # the newest output it was sent, verbatim
