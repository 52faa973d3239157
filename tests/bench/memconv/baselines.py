"""Baselines that fit a chat body into a token budget: keep-last, middle-out, litellm.trim_messages.

All sizes are counted with ctxproxy's counter (``count_request``), like ctxproxy's own result.
Per-message counts are computed once; the final body is re-counted and trimmed further if the
sum was short of the real figure.
"""

from __future__ import annotations

from typing import Any

from proxy.compress import TokenCounter

API = "openai-chat"


def _sizes(counter: TokenCounter, body: dict[str, Any], model: str) -> tuple[int, list[int]]:
    base = counter.count_request(API, {**body, "messages": []}, model)
    sizes = [counter.count_request(API, {**body, "messages": [m]}, model) - base for m in body["messages"]]
    return base, sizes


def _fits(counter: TokenCounter, body: dict[str, Any], msgs: list[Any], model: str, budget: int) -> bool:
    return counter.count_request(API, {**body, "messages": msgs}, model) <= budget


def keep_last(body: dict[str, Any], budget: int, counter: TokenCounter, model: str) -> dict[str, Any]:
    """The system prompt and as many of the newest messages as fit."""
    msgs = body["messages"]
    base, sizes = _sizes(counter, body, model)
    used = base + sizes[0]
    start = len(msgs)
    while start > 1 and used + sizes[start - 1] <= budget:
        start -= 1
        used += sizes[start]
    kept = msgs[:1] + msgs[start:]
    while len(kept) > 1 and not _fits(counter, body, kept, model, budget):
        kept = kept[:1] + kept[2:]
    return {**body, "messages": kept}


def middle_out(body: dict[str, Any], budget: int, counter: TokenCounter, model: str) -> dict[str, Any]:
    """OpenRouter-style: keep messages from both ends (alternately), drop the middle."""
    msgs = body["messages"]
    base, sizes = _sizes(counter, body, model)
    used = base + sizes[0]
    front, back = 1, len(msgs)  # kept: msgs[:front] + msgs[back:]
    take_back = True
    while front < back:
        i = back - 1 if take_back else front
        if used + sizes[i] > budget:
            break
        used += sizes[i]
        if take_back:
            back -= 1
        else:
            front += 1
        take_back = not take_back
    kept = msgs[:front] + msgs[back:]
    while len(kept) > 1 and not _fits(counter, body, kept, model, budget):
        kept = kept[:1] + kept[2:] if front > 1 else kept[:-1]
    return {**body, "messages": kept}


def litellm_trim(body: dict[str, Any], budget: int, counter: TokenCounter, model: str) -> dict[str, Any]:
    """``litellm.utils.trim_messages`` with ``max_tokens`` = the budget (its own tokenizer).

    It re-counts the kept list after each message it drops: ~3 s at 25 % and ~12 s at 50 % of a
    30k-token, 650-message chat on the benchmark machine; most of the benchmark's run time.
    """
    import litellm  # only here: slow to import, never on the proxy's path

    msgs = [dict(m) for m in body["messages"]]
    trimmed = litellm.utils.trim_messages(msgs, model=model, max_tokens=budget)
    return {**body, "messages": trimmed if isinstance(trimmed, list) else trimmed[0]}


def bag_of_words(body: dict[str, Any], budget: int, counter: TokenCounter, model: str) -> dict[str, Any]:
    """A degenerate control, not a method: keep-last for half the budget, and the other half a
    single line of the dropped span's distinct words, rarest first.

    It shows what whole-text word recall alone would reward; attribution and facts kept (which
    need the fact's words together, on a short line with speaker and date) should not.
    """
    from collections import Counter

    from tests.bench.memconv.metrics import STOPWORDS

    tail = keep_last(body, budget // 2, counter, model)["messages"]
    dropped = body["messages"][1 : len(body["messages"]) - (len(tail) - 1)]
    df: Counter[str] = Counter()
    first: dict[str, int] = {}
    for i, msg in enumerate(dropped):
        words = dict.fromkeys(w.strip(".,!?:;'\"()[]—").lower() for w in str(msg["content"]).split())
        for w in words:
            if w and w not in STOPWORDS:
                df[w] += 1
                first.setdefault(w, i)
    ranked = sorted(df, key=lambda w: (df[w], first[w]))

    def build(n: int) -> list[Any]:
        bag = {"role": "user", "content": "Earlier words: " + " ".join(ranked[:n])}
        return [tail[0], bag, *tail[1:]]

    lo, hi = 0, len(ranked)
    while lo < hi:  # the most words that fit
        mid = (lo + hi + 1) // 2
        if _fits(counter, body, build(mid), model, budget):
            lo = mid
        else:
            hi = mid - 1
    return {**body, "messages": build(lo)}
