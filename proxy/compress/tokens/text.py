"""Counting one text: piecewise encoding (bounded cost on huge pre-tokens) and its memo key."""

from __future__ import annotations

import tiktoken

SHORT = 256  # texts up to this length are memoized under the text itself
PIECE = 16_384  # texts longer than this are encoded piece by piece
SAMPLES = 64  # a longer text's key samples this many characters (up to twice as many) evenly


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
    tail and 64-odd characters sampled evenly from the whole text.

    Hashing a long fresh string costs O(length) on every request; this key is O(1) (≈1 µs
    whatever the size), and it holds no text (≈100 bytes an entry with the dict slot). Two
    texts sharing a key would get one count: an estimate error, never a wrong body. Texts the
    proxy writes share their head and tail (a summary's header and "(N messages compacted)"),
    so the middle is sampled densely: with three sampled characters, two same-length summaries
    of generated conversations shared a key within a few hundred compactions.
    """
    n = len(text)
    if n <= SHORT:
        return hash((encoding, n, text))
    step = n // SAMPLES
    return hash((encoding, n, text[:40], text[-40:], text[step // 2 :: step]))
