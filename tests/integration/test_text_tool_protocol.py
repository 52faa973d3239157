"""An agent that writes its tool calls as text (OpenHands' format for models without function
calling): through the proxy to a strict fake with a small window, driven by the real SDK.

The agent sends no ``tools``; each call is ``<function=read_file>…</function>`` in the
assistant's text and each output a user message opened by ``EXECUTION RESULT of
[read_file]:``. The proxy must read those outputs as tool outputs: mask the old ones, keep each
marker in front of what it leaves, and keep the task and the newest output verbatim.
"""

from __future__ import annotations

from typing import Any

from tests.fakes.strict import FakeRequest, OpenAIChatFake, Reply
from tests.integration.conftest import SdkClients
from tests.integration.livekit import WINDOW, settings_for, tool_output

TURNS = 24
MARKER = "EXECUTION RESULT of [read_file]:\n"
TASK = "Audit every module under src/pkg and report the request ids."


def text_calls(request: FakeRequest) -> Reply:
    """Read module N until the conversation holds ``TURNS`` outputs, then answer."""
    done = request.text.count("EXECUTION RESULT of [")
    if done >= TURNS:
        return Reply(text="All modules read.")
    return Reply(
        text=f"Reading the next module.\n\n<function=read_file>\n"
        f"<parameter=path>src/pkg/module_{done}.py</parameter>\n</function>"
    )


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
