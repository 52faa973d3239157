"""A chat client that merges forty turns into a message, through the proxy with the real SDK.

Its first user message is a transcript, not a task: once the conversation outgrows the window,
that message's turns go into the digest (with their speakers and dates), so do the older lines
of the recent messages, each a transcript too (the newest keeps its newest lines), and the
prefix sent upstream stays byte-identical on the next turn. A chat export pasted into a request's only
message, over the window, arrives with its oldest lines condensed, not its middle cut.
"""

from __future__ import annotations

import re
from typing import Any

import orjson

from tests.fakes.strict import AnthropicFake, OpenAIChatFake
from tests.fakes.strict_scripts import always
from tests.integration.conftest import SdkClients
from tests.integration.livekit import settings_for
from tests.unit.compress.transcript_chat import merged_chat, transcript_lines

WINDOW = 6_000


async def test_a_merged_chat_sends_its_first_turns_as_digest(
    sdk: SdkClients, make_proxy: Any, tmp_path: Any
) -> None:
    async with OpenAIChatFake(window=WINDOW, script=always("We went to Bath in May.")) as fake:
        upstreams = {"fake": {"base_url": fake.base_url, "api": "openai", "api_key_env": None}}
        proxy = await make_proxy(settings_for(upstreams, tmp_path, window=WINDOW))
        client = sdk.openai(f"{proxy.url}/agent/friends/fake", api_key="k")
        messages: list[dict[str, Any]] = merged_chat(preamble="Our chat so far:\n")["messages"]
        raw = await client.chat.completions.with_raw_response.create(
            model="small-model",
            messages=messages,  # type: ignore[arg-type]
            max_tokens=256,
        )
        assert raw.headers["x-ctxproxy-compressed"] == "1"
        reply = raw.parse().choices[0].message.content
        sent = fake.ok[-1].body["messages"]
        assert sent[1]["content"].startswith("Our chat so far:\n[ctxproxy: the 40 lines of conversation")
        assert sent[2]["content"].startswith("[ctxproxy: summary of earlier conversation]")
        first_day = re.search(r"^- \[(wk )?8 May 2023\] (Priya|Tom):.*$", sent[2]["content"], re.M)
        assert first_day is not None and "Priya:" in first_day.group(0) and "Tom:" in first_day.group(0)
        # the recent transcripts gave their older lines too: the newest of them keeps its newest lines
        assert any(
            m["content"].startswith("[ctxproxy: the ") and "older lines of this message" in m["content"]
            for m in sent
        )
        assert sent[-2]["content"].endswith(messages[-2]["content"].split("\n")[-1])
        assert sent[-1] == messages[-1]

        messages += [{"role": "assistant", "content": reply}, {"role": "user", "content": "And in Leeds?"}]
        raw = await client.chat.completions.with_raw_response.create(
            model="small-model",
            messages=messages,  # type: ignore[arg-type]
            max_tokens=256,
        )
        assert raw.headers["x-ctxproxy-compressed"] == "1"
        again = fake.ok[-1].body["messages"]
        assert orjson.dumps(again[: len(sent)]) == orjson.dumps(sent)  # the cached prefix holds
        assert not fake.invalid and not fake.overflows


async def test_a_pasted_chat_over_the_window_keeps_its_newest_lines_and_question(
    sdk: SdkClients, make_proxy: Any, tmp_path: Any
) -> None:
    """Anthropic Messages, one user message holding a whole chat export and a question: over
    the window, the fake would reject it; through the proxy its oldest lines arrive condensed
    (dated, attributed), its newest lines and the question verbatim."""
    lines = transcript_lines()
    question = "Which workshop did Tom try in Leeds?"
    text = "My chat with Tom, exported:\n" + "\n".join(lines) + f"\n\n{question}"
    async with AnthropicFake(window=WINDOW, script=always("The cello workshop.")) as fake:
        upstreams = {"fake": {"base_url": fake.base_url, "api": "anthropic", "api_key_env": None}}
        proxy = await make_proxy(settings_for(upstreams, tmp_path, window=WINDOW))
        client = sdk.anthropic(f"{proxy.url}/fake", api_key="k")
        raw = await client.messages.with_raw_response.create(
            model="small-model", max_tokens=256, messages=[{"role": "user", "content": text}]
        )
        assert raw.headers["x-ctxproxy-compressed"] == "1"
        reply = await raw.parse()
        assert reply.content[0].text == "The cello workshop."  # type: ignore[union-attr]
        content = fake.ok[-1].body["messages"][0]["content"]
        sent = content if isinstance(content, str) else "".join(b["text"] for b in content)
        assert sent.startswith("My chat with Tom, exported:\n[ctxproxy: the ")
        assert re.search(r"^- \[(wk )?8 May 2023\] .*(Priya|Tom):", sent, re.M)
        assert "newest lines follow verbatim]" in sent and "\n".join(lines[-4:]) + f"\n\n{question}" in sent
        assert sent.endswith(question) and not fake.invalid and not fake.overflows
