"""The task's words: a tool output's names that share a distinctive word with the task go first.

An agent lists a repository (``ls -R``, ``find``) or greps it, and later types the few names
of that output that belong to its task (``test_header`` of a task about ``Header``), not the
first ones in text order. When such an output is cut, masked or folded, the names it leaves
(a marker's or a placeholder's mentions, the digest's trail) are ranked so: names sharing a
word with the task first, the rarer that word among the output's names the earlier; then
the others as before.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from proxy.compress import code_view, salient

_PART = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")
MIN_WORD = 4  # shorter parts (``py``, ``io``, ``get``) say little about a task


def words(text: str) -> set[str]:
    """Lower-case word parts of ``text`` (``test_header.py`` → test, header; ``fromString`` →
    from, string) of at least ``MIN_WORD`` letters."""
    return {p.lower() for p in _PART.findall(text) if len(p) >= MIN_WORD}


def focus_words(task: str) -> frozenset[str]:
    """The words of a task's names (the first user message's paths, identifiers, dotted and
    compound names: ``Header.fromstring`` → header, fromstring), not of its prose."""
    names = [*salient.artifacts(task, limit=len(task), numbers=False, whole=True)]
    names += code_view.used_names(salient.scan_window(task))
    return frozenset(w for n in names for w in words(n))


def related(names: Iterable[str], focus: frozenset[str], limit: int) -> list[str]:
    """The ``names`` sharing a word with ``focus``, those whose rarest shared word is rarer
    among ``names`` first (text order among equals). A word more than ``limit`` of the names
    hold (the repository's name, ``docs``) singles none out: it does not count."""
    if not focus:
        return []
    names = list(dict.fromkeys(names))
    shared = [words(n) & focus for n in names]
    df = Counter(w for s in shared for w in s)
    shared = [{w for w in s if df[w] <= limit} for s in shared]
    ranked = [(min(df[w] for w in s), i) for i, s in enumerate(shared) if s]
    return [names[i] for _, i in sorted(ranked)]


def focus_first(names: list[str], pool: Iterable[str], focus: frozenset[str], limit: int) -> list[str]:
    """At most ``limit`` names: those of ``pool`` related to ``focus`` (:func:`related`)
    first, then ``names`` in their own order. Without focus: ``names[:limit]``."""
    if not focus:
        return names[:limit]
    return list(dict.fromkeys([*related(pool, focus, limit), *names]))[:limit]


def names_first(names: list[str], text: str, focus: frozenset[str], limit: int) -> list[str]:
    """:func:`focus_first` over every whole name of ``text`` (the output ``names`` came from):
    its names related to ``focus`` first, then ``names``; ``names[:limit]`` without focus."""
    if not focus:
        return names[:limit]
    return focus_first(
        names, salient.artifacts(text, limit=len(text), numbers=False, whole=True), focus, limit
    )
