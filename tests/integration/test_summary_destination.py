"""Summary calls get their destination and credentials as data (no ambient state): two
concurrent conversations on two upstreams, each summary reaches its own upstream with its own
client's key and that upstream's summary model."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import openai

from tests.fakes.strict import FakeRequest, OpenAIChatFake, Reply, ToolCall
from tests.integration.conftest import Running
from tests.integration.livekit import TOOLS_OAI, WINDOW, settings_for, tool_output
from tests.integration.test_summarizer_live import SUMMARY_BODY


def agent_or_summarizer(tag: str) -> Callable[[FakeRequest], Reply]:
    """The agent reads ``src/<tag>/…`` files: its dropped spans (and so its summary requests,
    which are shared by content address) differ from the other conversation's."""

    def script(request: FakeRequest) -> Reply:
        if "running summary" in request.text and not request.tool_names:
            return Reply(text=SUMMARY_BODY)
        return Reply(tool_calls=(ToolCall("read_file", {"path": f"src/{tag}/x.py"}),))

    return script


async def _session(proxy: Running, prefix: str, key: str, tag: str, turns: int) -> None:
    """A tool loop whose every file read names ``tag`` (distinct spans: no shared summary)."""
    messages: list[dict[str, Any]] = [{"role": "user", "content": f"Audit the {tag} service."}]
    async with openai.AsyncOpenAI(base_url=f"{proxy.url}{prefix}", api_key=key, max_retries=0) as client:
        for turn in range(turns):
            c = await client.chat.completions.create(
                model="small-model", messages=messages, tools=TOOLS_OAI, max_tokens=256
            )  # type: ignore[arg-type]
            msg = c.choices[0].message.model_dump(exclude_none=True)
            messages.append(msg)
            for tc in msg["tool_calls"]:
                body = tool_output(turn, 25).replace("src/pkg", f"src/{tag}")
                messages.append({"role": "tool", "tool_call_id": tc["id"], "content": body})


async def test_concurrent_summaries_reach_their_own_upstream_with_their_own_key(
    make_proxy: Any, tmp_path: Any
) -> None:
    async with (
        OpenAIChatFake(window=WINDOW, script=agent_or_summarizer("alpha")) as fake_a,
        OpenAIChatFake(window=WINDOW, script=agent_or_summarizer("beta")) as fake_b,
    ):
        ups = {
            "ua": {
                "base_url": fake_a.base_url,
                "api": "openai",
                "api_key_env": None,
                "summary_model": "sum-a",
            },
            "ub": {
                "base_url": fake_b.base_url,
                "api": "openai",
                "api_key_env": None,
                "summary_model": "sum-b",
            },
        }
        proxy = await make_proxy(
            settings_for(ups, tmp_path, compression={"summarizer": {"mode": "upstream"}})
        )
        await asyncio.gather(
            _session(proxy, "/agent/alpha/ua", "sk-client-a", "alpha", 25),
            _session(proxy, "/agent/beta/ub", "sk-client-b", "beta", 25),
        )
        for fake, model, key, other in (
            (fake_a, "sum-a", "Bearer sk-client-a", "sk-client-b"),
            (fake_b, "sum-b", "Bearer sk-client-b", "sk-client-a"),
        ):
            summaries = [r for r in fake.requests if r.body.get("model") != "small-model"]
            assert summaries, f"no summary request reached {model}'s upstream"
            assert {r.body.get("model") for r in summaries} == {model}
            assert {r.headers.get("Authorization") for r in summaries} == {key}
            assert not [r for r in fake.requests if other in str(r.headers.get("Authorization"))]
            assert fake.invalid == []
        # each upstream summarized its own conversation only
        assert all(b"src/beta" not in r.raw for r in fake_a.requests)
        assert all(b"src/alpha" not in r.raw for r in fake_b.requests)
