"""Regressions found on live traffic."""

from __future__ import annotations

import re
import time
from dataclasses import replace

import orjson

from proxy.compress import SUMMARY_HEADER, Compactor, Limits, TokenCounter, salient, violations
from proxy.compress.dates import line_stamp
from proxy.compress.encodings import Encodings
from proxy.compress.tokens import encoded_len
from proxy.config import load_settings
from tests.unit.compress.transcript_chat import transcript_lines


def _tool_output(turn: int, lines: int = 60) -> str:
    return "\n".join(
        f"src/pkg/module_{turn}.py:{i}: def handler_{turn}_{i}(request_id={turn * 1000 + i}): "
        f"return fetch('https://api.example.com/v{i % 3}/items/{turn}-{i}') if ok else None"
        for i in range(lines)
    )


async def test_summary_survives_when_recent_groups_overflow_the_target() -> None:
    """A tiny window whose protected recent tool outputs exceed the target: the last-resort
    cut takes from those outputs, not from the anchored summary of everything dropped."""
    compactor = Compactor(load_settings(environ={}).compression, counter=TokenCounter())
    msgs: list[dict] = [{"role": "user", "content": "Audit src/pkg and list request ids."}]
    for t in range(14):
        msgs.append(
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {"id": f"c{t}", "type": "function", "function": {"name": "read_file", "arguments": "{}"}}
                ],
            }
        )
        msgs.append({"role": "tool", "tool_call_id": f"c{t}", "content": _tool_output(t)})
    result = await compactor.compress(
        {"model": "small", "messages": msgs, "max_tokens": 256},
        "openai-chat",
        "small",
        Limits(12_000, None, 512),
        "a",
    )
    assert result.compressed and result.body is not None
    assert result.tokens_after <= result.target_tokens
    summary = result.body["messages"][1]["content"]
    assert summary.startswith(SUMMARY_HEADER)
    assert "ctxproxy cut" not in summary.splitlines()[0]


def test_long_texts_are_counted_piecewise_and_nearly_exactly() -> None:
    """Pieces bound BPE's super-linear cost on one huge pre-token (see docs/benchmarks.md)."""
    enc = Encodings().get("cl100k_base")
    blob = "x" * 200_000
    assert abs(encoded_len(enc, blob) - len(enc.encode_ordinary(blob))) <= 200_000 // 16_384 + 1
    text = "word " * 20_000
    assert abs(encoded_len(enc, text) - len(enc.encode_ordinary(text))) <= 10


async def test_aggressive_with_window_equal_to_the_conversation_never_gives_an_empty_summary() -> None:
    """A header "(304 messages compacted)" and no entry at all; and "1 messages"."""
    from dataclasses import replace

    from tests.unit.compress.chat_sample import SESSION_1, SESSION_2, SESSION_3

    msgs: list[dict] = [{"role": "system", "content": "You are a friendly companion."}]
    for week in range(12):
        for m in (*SESSION_1, *SESSION_2, *SESSION_3):
            text = m.text.replace("2024", str(2000 + week)).replace("four", f"{week + 4}")
            msgs.append({"role": m.role, "content": text})
    msgs.append({"role": "user", "content": "Dana: What do you remember about my sister?"})
    body = {"model": "gpt-4o", "messages": msgs}
    settings = replace(load_settings(environ={}).compression, strategy="aggressive")
    counter = TokenCounter()
    compactor = Compactor(settings, counter=counter)
    size = counter.count_request("openai-chat", body, "gpt-4o")
    result = await compactor.compress(body, "openai-chat", "gpt-4o", Limits(size, None, 256))
    assert result.compressed and result.body is not None
    summary = result.body["messages"][2]["content"]
    assert summary.startswith(SUMMARY_HEADER)
    entries = [line for line in summary.splitlines() if line.startswith("- [")]
    assert len(entries) >= 5 and all(("Dana: " in e or "Sam: " in e) for e in entries)
    assert "messages compacted)" in summary.splitlines()[-1] and "(1 messages" not in summary


def test_a_shared_counter_counts_two_same_length_summaries_apart() -> None:
    """Found by the property tests with many examples (openai-responses, fifteen 2000-word
    read_file outputs, a 3000-token window): two summaries of one length, with the summary
    header as their head and "(24 messages compacted)" as their tail, agreed on the three
    characters the memo key sampled, and a counter that had counted the first gave its count
    (12 tokens off) for the second."""
    counter = TokenCounter()
    enc = counter.encoding("gpt-4.1")

    def summary(entries: str) -> str:
        last = "- user: What is the status now? Keep going."
        return f"{SUMMARY_HEADER} Digest, oldest first:\n{entries}\n{last}\n(24 messages compacted)"

    words = "deploy " * 300
    paths = " ".join(f"src/m{i}_0.py:{i * 17}" for i in range(200))[: len(words)]
    first, second = summary(words), summary(paths)
    n = len(first)
    for i in (n // 3, n // 2, 2 * n // 3):  # what the old key sampled besides head and tail
        second = second[:i] + first[i] + second[i + 1 :]
    assert len(second) == n and second[:40] == first[:40] and second[-40:] == first[-40:]
    exact = len(enc.encode_ordinary(second))
    assert exact != len(enc.encode_ordinary(first))
    counter.count_text(first, enc)
    assert counter.count_text(second, enc) == exact


# Anthropic merges consecutive user turns, so "[Session 1 — 3 March 2024]" lands inside the
# protected first user message and the summarized span starts undated (found by the property
# test with seed 2): the summary must still date its entries from the kept messages.
_UNDATED_SPAN_SCRIPT = [
    ("user", "Priya: Let's catch up, I want you to remember what I tell you."),
    ("user", "[Session 1 — 3 March 2024]\nPriya: I I I."),
    ("assistant", "Tom: Leeds cello cello no longer Ana 2024 moved."),
    ("user", "Priya: cello never not longer moved 2024 moved moved moved Leeds."),
    ("assistant", "Tom: I I I."),
    ("user", "Priya: I I I."),
    ("assistant", "Tom: I Leeds never."),
    ("user", "Priya: Ana 2024 moved took."),
    ("assistant", "Tom: moved not not longer moved 2024."),
    ("user", "Priya: moved moved moved moved 2024 I years moved took."),
    ("assistant", "Tom: Leeds moved cello cello longer moved moved moved moved took."),
    ("user", "Priya: Ana Ana years."),
    ("user", "[Session 2 — 4 March 2024]\nPriya: moved not moved I cello moved moved moved."),
    ("assistant", "Tom: I I I."),
    ("user", "Priya: I I I."),
    ("assistant", "Tom: I I I."),
    ("user", "Priya: I I I."),
    ("assistant", "Tom: I moved took."),
    ("user", "Priya: moved Leeds I."),
    ("assistant", "Tom: I I I I moved moved cello I longer longer Leeds took."),
    ("user", "Priya: I I I."),
    ("assistant", "Tom: I I I."),
    ("user", "Priya: I Leeds longer."),
    ("assistant", "Tom: I Leeds moved."),
    ("user", "[Session 3 — 5 March 2024]\nPriya: I I I."),
    ("assistant", "Tom: I I I."),
    ("user", "Priya: I I I."),
    ("assistant", "Tom: I I I."),
    ("user", "Priya: I I I."),
    ("assistant", "Tom: I I I I I I I I I I I I I I I I I I I I moved."),
    ("user", "Priya: I I I."),
    ("assistant", "Tom: I I I."),
    ("user", "Priya: I I I I I I I I I I I I I."),
    ("assistant", "Tom: I I I."),
    ("user", "Priya: I I I."),
    ("assistant", "Tom: I I I."),
    ("user", "Priya: I I I."),
    ("assistant", "Tom: I I I I I."),
    ("user", "Priya: What do you remember?"),
]


async def test_a_summary_dates_a_span_whose_session_header_stayed_in_a_kept_message() -> None:
    from tests.unit.compress.convgen import RENDER

    body = RENDER["anthropic"](_UNDATED_SPAN_SCRIPT)
    compactor = Compactor(load_settings(environ={}).compression, counter=TokenCounter())
    # a window where the body (726 tokens) is just over the trigger (700) and a summary alone
    # fits; 3000 before Claude was counted with o200k (its tokens then were a few more)
    result = await compactor.compress(body, "anthropic", body["model"], Limits(2960, None, None))
    assert result.compressed and "summarize" in dict(result.stages)
    assert "cut" not in dict(result.stages)
    text = orjson.dumps(result.body).decode()
    assert re.search(r"- \[(?:wk )?(?:\d{1,2} )?March 2024\] (Priya|Tom): ", text)


async def test_a_prefill_cut_to_fit_ends_without_whitespace() -> None:
    """An Anthropic request that ends with an assistant prefill, too long for a small window:
    the cut stage cut the prefill to its marker, which ended with a newline, and Anthropic
    rejects a prefill ending in whitespace; the compaction was refused as invalid and the
    request went out whole, over the window."""
    lines = transcript_lines(40, 10)  # four sessions of ten turns
    body = {
        "model": "claude-sonnet-4-20250514",
        "max_tokens": 1024,
        "system": "Chat.",
        "messages": [
            {"role": "user", "content": "\n".join(lines[:20])},
            {"role": "assistant", "content": "\n".join(lines[20:])},
        ],
    }
    settings = replace(load_settings(environ={}).compression, strategy="aggressive")
    result = await Compactor(settings, counter=TokenCounter()).compress(
        body, "anthropic", "claude-sonnet-4-20250514", Limits(2_000, None, None)
    )
    assert result.compressed and result.note is None and result.body is not None
    assert not violations("anthropic", result.body)
    last = result.body["messages"][-1]
    text = last["content"] if isinstance(last["content"], str) else last["content"][-1]["text"]
    assert last["role"] == "assistant" and "ctxproxy cut" in text and text == text.rstrip()


def test_a_long_run_of_spaces_dashes_or_underscores_reads_in_linear_time() -> None:
    """A pattern whose parts overlap backtracks through a long run of what they share: the
    chat-app name-line pattern as first written took 5 seconds on the first line here (a
    name, 400 spaces, 400 dashes) and minutes on these, holding the event loop. A run of
    ``*`` before a stamp and an ``a_a_a_…`` token cost 10 to 50 times what they do now. All of
    them together take a few milliseconds."""
    lines = [
        "Aaaa Bbbb" + " " * 2_000 + "-" * 2_000,
        "Aaaa" + " " * 4_000 + "x",
        "**" * 20_000 + "A",
        "Aaaa Bbbb" + " -" * 2_000 + "]",
    ]
    start = time.perf_counter()
    for line in lines:
        assert line_stamp(line)[0] is None
    assert salient.artifacts("A_" * 1_250 + "x", limit=8, numbers=False) == ["A_" * 1_250 + "x"]
    assert time.perf_counter() - start < 2.0  # (linear: about 5 ms on a 2-core machine)
