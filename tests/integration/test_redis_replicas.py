"""Stateless replicas sharing Redis: compaction state and summaries survive a change of replica."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from typing import Any

import openai
import orjson
import pytest

from proxy.appkeys import CHAT_HOOKS
from proxy.storage.redis import RedisKV
from tests.fakes.strict import OpenAIChatFake, OpenAIResponsesFake, tool_loop
from tests.integration.livekit import (
    TOOLS_OAI,
    WINDOW,
    responses_chain,
    settings_for,
    tool_output,
)
from tests.integration.redis_proc import SKIP_REASON, RedisServer, have_redis

pytestmark = pytest.mark.skipif(not have_redis(), reason=SKIP_REASON)


@pytest.fixture
def redis_url(tmp_path: Any) -> Iterator[str]:
    server = RedisServer(tmp_path).start()
    try:
        yield server.url
    finally:
        server.stop()


async def test_redis_kv_basics_and_versions(redis_url: str) -> None:
    kv = RedisKV(redis_url)
    await kv.set("a", b"1", ttl_s=60)
    assert await kv.get("a") == b"1"
    assert await kv.set_nx("lease", b"x", ttl_s=60) is True
    assert await kv.set_nx("lease", b"y", ttl_s=60) is False
    await kv.delete("a")
    assert await kv.get("a") is None
    # versioned values: a write never replaces a newer version
    await kv.set_versioned("s", b"new", 10, ttl_s=60)
    await kv.set_versioned("s", b"old", 5, ttl_s=60)
    assert await kv.versioned("s") == (10, b"new")
    await kv.set_versioned("s", b"newer", 11, ttl_s=60)
    assert await kv.versioned("s") == (11, b"newer")
    # a plain value (a state written before versions existed) reads as version 0
    await kv.set("old-state", b"v1", ttl_s=60)
    assert await kv.versioned("old-state") == (0, b"v1")
    await kv.set_versioned("old-state", b"v2", 1, ttl_s=60)
    assert await kv.versioned("old-state") == (1, b"v2")
    assert await kv.versioned("missing") is None
    await kv.close()
    down = RedisKV("redis://127.0.0.1:9/0", timeout_s=0.2)  # nothing listens there: it raises
    with pytest.raises(Exception, match=r"127\.0\.0\.1:9"):
        await down.get("a")
    await down.close()


async def _run_session(proxies: list[Any], fake: OpenAIChatFake, turns: int) -> list[bytes]:
    messages: list[dict[str, Any]] = [{"role": "user", "content": "Audit src/pkg."}]
    seen: list[bytes] = []
    for turn in range(turns):
        proxy = proxies[turn % len(proxies)]
        async with openai.AsyncOpenAI(
            base_url=f"{proxy.url}/agent/a/fake", api_key="k", max_retries=0
        ) as client:
            c = await client.chat.completions.create(
                model="small-model", messages=messages, tools=TOOLS_OAI, max_tokens=256
            )  # type: ignore[arg-type]
        seen.append(fake.requests[-1].raw)
        msg = c.choices[0].message.model_dump(exclude_none=True)
        messages.append(msg)
        for tc in msg["tool_calls"]:
            messages.append({"role": "tool", "tool_call_id": tc["id"], "content": tool_output(turn, 25)})
    return seen


def _fresh(proxy: Any) -> int:
    return int(proxy.app[CHAT_HOOKS].stats.view()["total"]["fresh_compactions"])


def stable_turns(bodies: list[bytes]) -> int:
    """Turns whose messages start with the previous turn's messages, byte for byte."""
    msgs = [
        [orjson.dumps(m) for m in orjson.loads(re.sub(rb"call_\\d+", b"call_N", b))["messages"]]
        for b in bodies
    ]
    return sum(1 for prev, cur in itertools.pairwise(msgs) if cur[: len(prev)] == prev)


async def test_replicas_share_compaction_state(make_proxy: Any, tmp_path: Any, redis_url: str) -> None:
    turns = 30
    async with OpenAIChatFake(window=WINDOW, script=tool_loop(10_000, "read_file")) as fake:
        upstreams = {"fake": {"base_url": fake.base_url, "api": "openai", "api_key_env": None}}
        single = await make_proxy(settings_for(upstreams, tmp_path / "s"))
        baseline = await _run_session([single], fake, turns)
        shared = {"backend": "redis", "url": redis_url}
        a = await make_proxy(settings_for(upstreams, tmp_path / "a", storage=shared))
        b = await make_proxy(settings_for(upstreams, tmp_path / "b", storage=shared))
        with_redis = await _run_session([a, b], fake, turns)
        c = await make_proxy(settings_for(upstreams, tmp_path / "c"))
        d = await make_proxy(settings_for(upstreams, tmp_path / "d"))
        private = await _run_session([c, d], fake, turns)
        assert fake.invalid == [] and fake.overflows == []
    # Replicas sharing Redis keep the compressed prefix as stable as one process does;
    # replicas with private memory lose it whenever the turn changes replica.
    assert stable_turns(with_redis) >= stable_turns(baseline) - 2
    assert stable_turns(private) < stable_turns(with_redis)
    assert _fresh(a) + _fresh(b) <= _fresh(single) + 2


async def test_responses_chain_sizes_are_shared_between_replicas(
    make_proxy: Any, tmp_path: Any, redis_url: str
) -> None:
    """Every turn of a previous_response_id chain lands on the *other* replica: the chain's size,
    recorded by the replica that served the previous turn, still reaches the one deciding."""
    async with OpenAIResponsesFake(window=WINDOW, script=tool_loop(10_000, "read_file")) as fake:
        upstreams = {
            "fake": {
                "base_url": fake.base_url,
                "api": "openai",
                "api_key_env": None,
                "responses_compaction": "truncation",
            }
        }
        shared = {"backend": "redis", "url": redis_url}
        replicas = [await make_proxy(settings_for(upstreams, tmp_path / n, storage=shared)) for n in "ab"]
        # settle: let each turn's write-through reach Redis before the other replica reads it
        native, _ = await responses_chain([f"{r.url}/fake" for r in replicas], 12, settle_s=0.05)
        assert fake.invalid == [] and fake.overflows == []
        assert "truncation" in native
        assert any(r.body.get("truncation") == "auto" for r in fake.requests)
