"""What is worth keeping in text: artifacts (paths, URLs, ids, numbers) and salient sentences."""

from __future__ import annotations

import re

_SCAN_HEAD = 40_000  # characters scanned at the start and end of a huge text
_SCAN_TAIL = 10_000
_ART_HEAD = 2_500  # artifacts: characters scanned at the start and end of a text
_ART_TAIL = 1_000

_LSTRIP = "([{<\"'`*"
_RSTRIP = ".,;:!?)]}>\"'`*"
_EXTENSIONS = frozenset(
    "py js ts tsx jsx go rs java c h cpp md json yaml yml toml txt csv html css sh sql ipynb log cfg ini lock".split()
)
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
URL = re.compile(r"https?://[^\s\"'<>)\]]+")
PATH = re.compile(
    r"(?:(?:~|\.{1,2})(?:/[\w.@+-]+)+|(?:/[\w.@+-]+){2,})/?"
    r"|[\w-]+(?:/[\w-]+)*\.(?:py|js|ts|tsx|jsx|go|rs|java|c|h|cpp|md|json|yaml|yml|toml|txt|csv|html|css|sh|sql"
    r"|ipynb|log|cfg|ini|lock)"
)
IDENT = re.compile(
    r"\b(?:[A-Za-z][A-Za-z0-9]*+_\w*[A-Za-z0-9]|[a-z]+[A-Z][A-Za-z0-9]+|[A-Z][a-z0-9]+[A-Z]\w*|call_[A-Za-z0-9]+"
    r"|[A-Za-z_]\w*(?:\.[A-Za-z_]\w*){2,}|[0-9a-f]{7,40}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b"
)
NUMBER = re.compile(r"(?<![\w.])[-+]?\$?\d[\d,]*(?:\.\d+)*%?(?!\w|\.\d)")
DATE = re.compile(
    r"\b(?:\d{4}-\d{2}-\d{2}|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.? \d{1,2})\b"
)
ERROR = re.compile(
    r"\b(?:error|exception|traceback|failed|failure|fatal|denied|not found|timeout|panic|warning)\b", re.I
)
DECISION = re.compile(
    r"\b(?:decided?|decision|agreed|chose|choose|will|must|should|plan|conclusion|therefore|final|answer|todo|next step)\b",
    re.I,
)
# a source file's licence or copyright comment (``# Licensed under a 3-clause BSD style license -
# see LICENSE.rst``), numbered or not: boilerplate, no fact of the session
_BOILERPLATE = re.compile(
    r"[ \t]*(?:\d+[ \t]*→?[ \t]*)?(?:#|//|/?\*++|--|;+|<!--)[^\n]{0,160}?(?:licensed (?:under|to)\b"
    r"|copyright (?:\(c\)|©|\d{4})|spdx-license-identifier|all rights reserved|see licen[cs]e"
    r"|\b(?:mit|bsd|apache|gnu|gpl)\b[^\n]{0,80}?licen[cs]e)",
    re.I,
)
_BOILERPLATE_WORDS = ("licen", "copyright", "rights reserved")


def boilerplate(line: str) -> bool:
    """``line`` is a licence or copyright comment (a short line only: the check stays cheap)."""
    return len(line) <= 240 and _BOILERPLATE.match(line) is not None


def without_boilerplate(text: str) -> str:
    """``text`` without its licence and copyright comment lines."""
    low = text.lower()
    if not any(w in low for w in _BOILERPLATE_WORDS):
        return text
    return "\n".join(line for line in text.split("\n") if not boilerplate(line))


NAME = re.compile(r"(?<=[a-z,;:] )[A-Z][a-z]+(?: [A-Z][a-z]+)*")
SENTENCE = re.compile(r"(?:[^\n.!?]|[.!?](?![\s.!?]|$))+(?:[.!?]+|\n|$)")


def scan_window(text: str) -> str:
    """The part of a text worth scanning: all of it, or its head and tail when huge."""
    if len(text) <= _SCAN_HEAD + _SCAN_TAIL:
        return text
    return text[:_SCAN_HEAD] + "\n" + text[-_SCAN_TAIL:]


def _artifact_kind(tok: str, numbers: bool = True) -> int:
    """0: path / URL / date / identifier, 1: notable number (only asked when ``numbers``),
    -1: neither (cheap checks first)."""
    if "/" in tok:
        if "://" in tok:
            return 0 if URL.fullmatch(tok) else -1
        return 0 if PATH.fullmatch(tok) else -1
    if "." in tok and tok.rsplit(".", 1)[1].lower() in _EXTENSIONS:
        return 0 if PATH.fullmatch(tok) else -1
    first = tok[0]
    if first.isdigit() or first in "$+-":
        if "-" in tok and ISO_DATE.fullmatch(tok):
            return 0
        if len(tok) >= 7 and IDENT.fullmatch(tok):  # hex ids may start with a digit
            return 0
        if not numbers:
            return -1
        return 1 if NUMBER.fullmatch(tok) and sum(map(str.isdigit, tok)) >= 3 else -1
    if ("_" in tok or "-" in tok or not tok[1:].islower() or len(tok) >= 7) and IDENT.fullmatch(tok):
        return 0
    return -1


def artifact_window(text: str) -> str:
    """The part of a text :func:`artifacts` scans (without ``whole``): its head and tail."""
    return text if len(text) <= _ART_HEAD + _ART_TAIL else text[:_ART_HEAD] + "\n" + text[-_ART_TAIL:]


def artifacts(text: str, limit: int = 12, *, numbers: bool = True, whole: bool = False) -> list[str]:
    """Paths, URLs, dates and identifiers first, then notable numbers; each in text order.

    Works on whitespace-separated tokens (fast) and scans at most the head and tail of a
    huge text (``whole``: all of it, up to the scan window of :func:`scan_window`).
    """
    window = scan_window(text) if whole else artifact_window(text)
    strong: list[str] = []
    found_numbers: list[str] = []
    max_numbers = limit // 2 if numbers else 0
    # every token looked at once: a repeated word is neither stripped nor classified again (a
    # stripped token never equals a raw one that had something to strip)
    seen: set[str] = set()
    for raw in window.split():
        if raw in seen:
            continue
        seen.add(raw)
        tok = raw.lstrip(_LSTRIP).rstrip(_RSTRIP)
        if len(tok) < 3 or (tok != raw and tok in seen):
            continue
        seen.add(tok)
        kind = _artifact_kind(tok, len(found_numbers) < max_numbers)
        if kind == 0:
            strong.append(tok)
        elif kind == 1 and len(found_numbers) < max_numbers:
            found_numbers.append(tok)
        else:
            continue
        if len(strong) >= limit:
            break
    return strong + found_numbers[: max(0, limit - len(strong))]


def score(sentence: str) -> int:
    s = 0
    if URL.search(sentence) or PATH.search(sentence):
        s += 3
    if NUMBER.search(sentence):
        s += 2
    if DATE.search(sentence):
        s += 2
    if ERROR.search(sentence):
        s += 3
    if DECISION.search(sentence):
        s += 2
    if IDENT.search(sentence):
        s += 1
    if NAME.search(sentence):
        s += 1
    if sentence.rstrip().endswith("?"):
        s += 2
    return s


def sentences(text: str) -> list[str]:
    window = scan_window(text)
    return [s.strip() for s in SENTENCE.findall(window) if len(s.strip()) > 3]


def salient_sentences(text: str, min_score: int = 2) -> list[tuple[int, str]]:
    """(score, sentence) for sentences scoring at least ``min_score``, in text order."""
    out = []
    for sent in sentences(text):
        sc = score(sent)
        if sc >= min_score:
            out.append((sc, sent[:400]))
    return out
