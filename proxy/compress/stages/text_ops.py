"""Text surgery shared by stages: cut the middle of a text to a token size with a marker."""

from __future__ import annotations

from collections.abc import Callable

from proxy.compress import salient

MENTIONS = 64  # names a cut part's marker lists at most


def _names_mentions(label: str) -> bool:
    return label == "content" or label.endswith(" output")


def cut_middle(text: str, keep_tokens: int, tokens: int, label: str = "content") -> str:
    """Keep the head (60 %) and tail (40 %) of ``text`` so it is about ``keep_tokens`` long.

    Cutting a message or a tool output, the marker names what the cut part mentioned (paths,
    identifiers, error names, numbers), as a masked output's placeholder does: an agent often
    needs them later."""
    if tokens <= keep_tokens or not text:
        return text
    chars_per_token = max(1.0, len(text) / max(tokens, 1))
    keep_chars = max(0, int(keep_tokens * chars_per_token) - 80)
    head = text[: int(keep_chars * 0.6)]
    tail = text[len(text) - int(keep_chars * 0.4) :] if keep_chars else ""
    middle = text[len(head) : len(text) - len(tail)]
    found = salient.artifacts(middle, limit=MENTIONS, whole=True) if _names_mentions(label) else []
    mentions = f"; mentions: {', '.join(found)}" if found else ""
    marker = f"\n[… ctxproxy cut {tokens - keep_tokens} tokens of {label}{mentions} …]\n"
    return head + marker + tail


def shrink_to(text: str, keep_tokens: int, count: Callable[[str], int], label: str = "content") -> str:
    """:func:`cut_middle` repeated until the result counts at most ``keep_tokens`` (≤3 tries)."""
    tokens = count(text)
    out = text
    goal = keep_tokens
    for _ in range(3):
        out = cut_middle(text, goal, tokens, label)
        n = count(out)
        if n <= keep_tokens:
            return out
        goal = max(0, goal - (n - keep_tokens) - 8)
    return out
