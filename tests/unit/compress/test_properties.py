"""Property tests over generated conversations for all three APIs."""

from __future__ import annotations

import re
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from proxy.compress import Compactor, Limits, TokenCounter, violations
from proxy.compress.encodings import Encodings
from proxy.compress.protect import protected_groups
from proxy.config import load_settings
from proxy.storage import MemoryKV
from proxy.wire import get_adapter
from tests.unit.compress.convgen import RENDER, Script, filler, scripts

APIS = ["openai-chat", "openai-responses", "anthropic", "gemini"]
ENCODINGS = Encodings()
SETTINGS = load_settings(environ={}).compression
PROPS = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def fresh() -> Compactor:
    """A compactor with its own state and memo (examples share only the loaded encodings)."""
    return Compactor(SETTINGS, kv=MemoryKV(), counter=TokenCounter(encodings=ENCODINGS))


def checker() -> TokenCounter:
    """A counter for one example's checks, with an empty memo.

    The memo's key for a long text is sampled (length, head, tail, three characters), so a
    counter shared by all examples may hold another example's count for a same-keyed text: the
    generated texts are regular enough for that to happen within a few hundred examples, and the
    check would then fail or pass depending on which examples ran before it.
    """
    return TokenCounter(encodings=ENCODINGS)


def protected_tokens(
    api: str, body: dict[str, Any], compactor: Compactor, model: str
) -> tuple[int, list[Any]]:
    adapter = get_adapter(api)
    conv = adapter.parse(body)
    keep = protected_groups(conv.groups, compactor.policy(model))
    counter = checker()
    enc = counter.encoding(model)
    raw = 3 + sum(counter.count_text(t, enc) for t in adapter.fixed_texts(body))
    msgs = list(conv.head) + [m for i, g in enumerate(conv.groups) if i in keep for m in g.messages]
    raw += sum(counter.message_raw(m, enc, api, adapter.message_overhead) for m in msgs)
    return counter.scale(raw, model), [m.raw for m in msgs]


async def compress_checked(
    api: str, body: dict[str, Any], window: int
) -> tuple[Compactor, Any, dict[str, Any]]:
    """``body`` compressed by a fresh compactor: (the compactor, its result, the body sent),
    the body sent checked to break no rule the original did not."""
    compactor = fresh()
    result = await compactor.compress(body, api, body["model"], Limits(window, None, None))
    sent = result.body if result.body is not None else body
    assert violations(api, sent) <= violations(api, body)
    return compactor, result, sent


def landing_bound(protected: int, target: int) -> int:
    """Where a compressed request whose protected part fits its target lands at most: the
    target, or, when the protected turns leave the summary less than its floor (an eighth of
    the target), the protected turns and that floor (plus the summary message's own tokens):
    the memory of everything dropped is not cut to a header to land on the target."""
    return max(target, protected + target // 8 + 32)


def appears_verbatim(api: str, original: Any, sent: list[Any]) -> bool:
    if original in sent:
        return True
    if api not in ("anthropic", "gemini") or not isinstance(original, dict):
        return False
    # Anthropic's / Gemini's first user turn may carry the anchored summary as one extra part.
    key = "content" if api == "anthropic" else "parts"
    content = original[key]
    blocks = [{"type": "text", "text": content}] if isinstance(content, str) else content
    return any(
        isinstance(m, dict) and m.get("role") == original["role"] and m[key][: len(blocks)] == blocks
        for m in sent
    )


@pytest.mark.parametrize("api", APIS)
@PROPS
@given(script=scripts(), window=st.sampled_from([3000, 6000, 12000, 40000]), images=st.booleans())
async def test_compressed_output_is_valid_fitting_and_keeps_protected_items(
    api: str, script: list[Any], window: int, images: bool
) -> None:
    body = RENDER[api](script, images=images)
    model = body["model"]
    compactor = fresh()
    result = await compactor.compress(body, api, model, Limits(window, None, None))
    if result.note == "cannot-shrink":  # only when the protected part (images too) is over target
        assert protected_tokens(api, body, compactor, model)[0] > result.target_tokens
    else:
        assert result.note is None, result.note
    sent = result.body if result.body is not None else body
    assert violations(api, sent) <= violations(api, body)
    assert result.tokens_after == checker().count_request(api, sent, model)
    protected, protected_items = protected_tokens(api, body, compactor, model)
    if protected + 64 <= result.target_tokens:
        if result.compressed:
            assert result.tokens_after <= landing_bound(protected, result.target_tokens)
        else:
            assert result.tokens_before <= result.trigger_tokens
        items = sent[get_adapter(api).container]
        for item in protected_items:
            assert appears_verbatim(api, item, items)
    if api == "openai-responses":  # encrypted reasoning is replayed byte-identical or dropped
        originals = [orjson.dumps(i) for i in body["input"] if i.get("type") == "reasoning"]
        assert all(orjson.dumps(i) in originals for i in sent["input"] if i.get("type") == "reasoning")
    if api == "gemini":  # turns with thought signatures are replayed byte-identical or dropped
        signed = [
            orjson.dumps(c) for c in body["contents"] if any("thoughtSignature" in p for p in c["parts"])
        ]
        assert all(
            orjson.dumps(c) in signed
            for c in sent["contents"]
            if any("thoughtSignature" in p for p in c["parts"])
        )
    if api == "anthropic":
        originals = [
            orjson.dumps(b) for m in body["messages"] for b in m["content"] if b.get("type") == "thinking"
        ]
        sent_thinking = [
            b
            for m in sent["messages"]
            if isinstance(m["content"], list)
            for b in m["content"]
            if b.get("type") == "thinking"
        ]
        assert all(orjson.dumps(b) in originals for b in sent_thinking)


@pytest.mark.parametrize("api", APIS)
@PROPS
@given(script=scripts(max_turns=16), window=st.sampled_from([4000, 9000]))
async def test_compression_is_deterministic(api: str, script: list[Any], window: int) -> None:
    body = RENDER[api](script)
    a = await fresh().compress(body, api, body["model"], Limits(window, None, None))
    b = await fresh().compress(body, api, body["model"], Limits(window, None, None))
    assert orjson.dumps(a.body) == orjson.dumps(b.body)
    assert a.stages == b.stages


@pytest.mark.parametrize("api", APIS)
@PROPS
@given(script=scripts(max_turns=12))
async def test_fitting_conversation_is_untouched(api: str, script: list[Any]) -> None:
    body = RENDER[api](script)
    before = orjson.dumps(body)
    result = await fresh().compress(body, api, body["model"], Limits(1_000_000, None, None))
    assert result.body is None and not result.compressed
    assert orjson.dumps(body) == before


SPEAKERS = ("Dana", "Sam", "Priya", "Tom")
CHAT_WORDS = "I we moved to Leeds took up the cello never not no longer sister Ana in March 2024 four years ago lake trip".split()


@st.composite
def chats(draw: Any) -> list[Any]:
    """Multi-session chats between two named speakers: dated headers, ``Name:`` prefixes."""
    a, b = draw(st.sampled_from([("Dana", "Sam"), ("Priya", "Tom")]))
    turns: list[Any] = [("user", f"{a}: Let's catch up, I want you to remember what I tell you.")]
    for session in range(draw(st.integers(1, 6))):
        for k in range(draw(st.integers(2, 14))):
            who, role = (a, "user") if k % 2 == 0 else (b, "assistant")
            words = draw(st.lists(st.sampled_from(CHAT_WORDS), min_size=3, max_size=120))
            text = f"{who}: " + " ".join(words) + "."
            if k == 0:
                text = f"[Session {session + 1} — {session + 3} March 2024]\n" + text
            turns.append((role, text))
    if turns[-1][0] != "user":
        turns.append(("user", f"{a}: What do you remember?"))
    return turns


@pytest.mark.parametrize("api", APIS)
@PROPS
@given(script=chats(), window=st.sampled_from([1500, 3000, 6000]))
async def test_chat_conversations_compress_validly_and_keep_protected_items(
    api: str, script: list[Any], window: int
) -> None:
    body = RENDER[api](script)
    model = body["model"]
    compactor, result, sent = await compress_checked(api, body, window)
    protected, protected_items = protected_tokens(api, body, compactor, model)
    if protected + 64 <= result.target_tokens:
        if result.compressed:
            assert result.tokens_after <= landing_bound(protected, result.target_tokens)
        items = sent[get_adapter(api).container]
        for item in protected_items:
            assert appears_verbatim(api, item, items)
    if result.compressed and "summarize" in dict(result.stages) and "cut" not in dict(result.stages):
        text = orjson.dumps(sent).decode()
        assert "[ctxproxy: summary of earlier conversation]" in text
        # attributed entries: a day, or a coarser week / month line when the digest was folded
        # (a chat of fillers alone, ``I I I.``, leaves no entry to date)
        entries = "\\n- " in text  # a digest line (the JSON text escapes its line break)
        assert not entries or re.search(r"- \[(?:wk )?(?:\d{1,2} )?March 2024\] (Dana|Sam|Priya|Tom): ", text)


@settings(max_examples=20, deadline=None)
@given(script=scripts())
def test_a_generated_script_prints_as_a_short_expression_of_itself(script: Script) -> None:
    """A failing example is printed in a few kB (hypothesis warns over 30 kB) and can be pasted."""
    from tests.unit.compress import convgen

    assert len(repr(script)) < 10_000
    assert eval(repr(script), vars(convgen)) == script


async def test_a_summary_floor_lifts_a_request_whose_protected_part_fits_only_by_its_floor() -> None:
    """The property test's example: the protected part fits the target. The request lands on
    the target when the protected turns leave the summary its floor (an eighth of the target);
    when they leave less, the summary keeps its floor and the request lands at most that far
    above the protected turns, never over its input budget."""

    def read(i: int, size: int, k: int = 0) -> tuple[str, str, str]:
        return ("read_file", f'{{"path": "src/m{i}_{k}.py"}}', filler(i * 10 + k, size))

    script: list[Any] = [
        ("user", "Task: fix bug 4711 in src/core/engine.py and report the result."),
        ("tools", [read(0, 2000)], None),
        ("tools", [read(1, 2000)], None),
        ("assistant", filler(102, 3)),
        ("tools", [read(3, 2000)], None),
        ("assistant", filler(104, 3)),
        *[("tools", [read(i, 2000)], None) for i in (5, 6, 7)],
        ("assistant", filler(108, 3)),
        *[("tools", [read(i, 2000)], None) for i in (9, 10, 11, 12)],
        ("tools", [read(13, 5), read(13, 292, 1)], None),
        ("assistant", filler(114, 23)),
        ("tools", [read(15, 107)], filler(515, 5)),
        ("assistant", filler(116, 3)),
        ("tools", [read(17, 103), read(17, 151, 1), read(17, 300, 2)], filler(517, 5)),
        ("assistant", filler(118, 9)),
        ("tools", [read(19, 249)], None),
        ("user", "What is the status now? Keep going."),
    ]
    for api in APIS:
        body = RENDER[api](script)
        compactor = fresh()
        result = await compactor.compress(body, api, body["model"], Limits(6000, None, None))
        protected, _ = protected_tokens(api, body, compactor, body["model"])
        if protected + 64 <= result.target_tokens and result.compressed:
            assert result.tokens_after <= landing_bound(protected, result.target_tokens), api
            assert result.tokens_after <= result.budget, api
            if protected + result.target_tokens // 8 + 32 <= result.target_tokens:
                assert result.tokens_after <= result.target_tokens, api
