"""Counting one text: piecewise encoding (bounded cost on huge pre-tokens) and its memo key."""

from __future__ import annotations

import tiktoken

SHORT = 256  # texts up to this length are memoized under the text itself
PIECE = 16_384  # texts longer than this are encoded piece by piece


def encoded_len(enc: tiktoken.Encoding, text: str) -> int:
    """Token count of ``text``; long texts are split near whitespace into pieces first.

    BPE on one huge pre-token (a 10 MB run without spaces, base64, minified JSON) is
    super-linear; pieces bound it, at the cost of at most one extra token per cut.
    """
    if len(text) <= PIECE:
        return len(enc.encode_ordinary(text))
    total, start, n = 0, 0, len(text)
    while start < n:
        end = min(n, start + PIECE)
        if end < n:
            cut = text.rfind(" ", start + PIECE // 2, end)
            end = cut if cut > start else end
        total += len(enc.encode_ordinary(text[start:end]))
        start = end
    return total


def memo_key(encoding: str, text: str) -> int:
    """A 64-bit hash of the encoding, the length and the text when short, else its head,
    tail and three sampled characters.

    Hashing a long fresh string costs O(length) on every request; this key is O(1), and it
    holds no text (≈100 bytes an entry with the dict slot, whatever the text's size). Two texts
    sharing a key would get one count: an estimate error, never a wrong body.
    """
    n = len(text)
    if n <= SHORT:
        return hash((encoding, n, text))
    return hash((encoding, n, text[:40], text[-40:], text[n // 3], text[n // 2], text[(2 * n) // 3]))
