"""Near the trigger, a conversation's next body is decided from its previous body's counted prefix.

A body whose bytes alone cannot show it under its trigger is parsed and counted before the send.
Once it went out under its trigger, its prefix (the body up to two items before the end of its
item list) is recorded with its token count; the conversation's next body, which starts with
that prefix, is certainly under when the prefix's tokens plus the bytes after it are: it goes
out at once, counted after the send. A next body that could cross the trigger is parsed and
decided as before.
"""

from __future__ import annotations

from typing import Any

import orjson

from tests.integration.conftest import Running, SdkClients, proxy_settings

MODEL = "near-model"  # 40k-token window: the history's bytes are over its trigger, its tokens under


def _decided(captured_logs: Any) -> list[dict[str, Any]]:
    events = [orjson.loads(line) for line in captured_logs.getvalue().splitlines()]
    return [e for e in events if e["event"] == "compression.decided"]


async def test_the_next_turn_near_the_trigger_goes_out_from_the_counted_prefix(
    sdk: SdkClients, make_proxy: Any, fake_url: str, tmp_path: Any, captured_logs: Any
) -> None:
    catalog = {"overrides": {MODEL: {"context_window": 40_000, "max_output_tokens": 1024}}}
    proxy: Running = await make_proxy(proxy_settings(fake_url, tmp_path, catalog=catalog))
    from proxy.appkeys import CHAT_HOOKS

    fast = proxy.app[CHAT_HOOKS].fast
    client = sdk.openai(proxy.url + "/openai", api_key="dummy")
    history: list[dict[str, Any]] = [{"role": "system", "content": "You review diffs. " * 50}]
    history += [{"role": "user", "content": f"file {i}: " + "line of code\n" * 300} for i in range(12)]
    assert len(orjson.dumps(history)) > 40_000  # more bytes than the window has tokens
    sent: list[int] = []
    for turn in range(4):
        history.append({"role": "user", "content": f"and turn {turn}?"})
        raw = await client.chat.completions.with_raw_response.create(
            model=MODEL, messages=history, extra_headers={"x-fake-answer-after-ms": "100"}
        )  # type: ignore[arg-type]
        assert raw.headers["x-ctxproxy-compressed"] == "0"
        sent.append(int(raw.headers["x-ctxproxy-tokens-before"]))
        history.append({"role": "assistant", "content": raw.parse().choices[0].message.content})  # type: ignore[union-attr]
    assert 10_000 < sent[0] < sent[-1] < 30_000
    assert len(_decided(captured_logs)) == 1  # the first turn only: the others went out from the prefix
    (prefixes,) = [h.prefixes for h in fast.prefixes._heads.values()]
    assert prefixes[0].tokens is not None and prefixes[0].tokens[1] > 10_000

    # A next turn that crosses the trigger is parsed and compacted, counted prefix or not.
    for turn in range(12):
        history.append({"role": "user", "content": f"more {turn}: " + "another line of code\n" * 300})
        history.append({"role": "assistant", "content": f"noted {turn}"})
    history.append({"role": "user", "content": "and now?"})
    raw = await client.chat.completions.with_raw_response.create(
        model=MODEL, messages=history, extra_headers={"x-fake-answer-after-ms": "100"}
    )  # type: ignore[arg-type]
    decided = _decided(captured_logs)
    assert len(decided) == 2 and decided[-1]["tokens_before"] > sent[-1]
    assert raw.headers["x-ctxproxy-compressed"] == "1"
