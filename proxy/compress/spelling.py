"""How people type in a chat app: stretched words and emoji, read back to what they say.

``sooooo``, ``greaaaat``, ``lmaooo`` and ``😂`` carry no fact, yet each stretched spelling is
rare in a conversation, so the digest's IDF weights would rank it as news and spend tokens on
it. A stretched word (a letter three times or more) is read as its short form: each run of
letters becomes one letter or two, the first form that is a known word (a function word or
filler, which then goes, or a word of feeling, which stays), else a common word written with a
double letter (``sooon`` → ``soon``, ``sweeeet`` → ``sweet``). Else a run of exactly three
letters inside the word is how it is spelt and stays (a name, ``Dallley``; a German compound,
``Schifffahrt``), and so does one at the end of a word written with a capital (a name); a
longer run, or one at the end, becomes one letter (``exciteeeeed`` → ``excited``), two for a
word ending in ``s``, ``l``, ``f`` or ``z`` (``compasss`` → ``compass``). Words in capitals
(``AAA``, ``WWW``) and words with digits or dots (hashes, ``www.example.com``) are left as
they are. Emoji are dropped from a unit's text.
"""

from __future__ import annotations

import itertools
import re

# a letter three times or more in a row
STRETCH = re.compile(r"([^\W\d_])\1\1+")
# pictographs, symbols, hearts, sparkles, their joiners and modifiers (not ✓ ✗ ★ or arrows)
EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u26ff\u2764\u2728\ufe0f\u200d]+")
# common words with a double letter, for a stretched one (``gooood`` → ``good``)
DOUBLED = frozenset(
    """soon sweet feel feeling need see free too been seen keen week weeks weekend tree three
    agree green sleep deep beer coffee cheese miss kiss boss less mess class pass all ball call
    fall tell well still will fill full hello yellow little pretty happy sorry funny silly yummy
    really totally summer dinner good cool food mood book look took boot moon door poor noon
    goodness""".split()
)
_MAX_RUNS = 3  # forms tried for up to 3 stretched runs in a word (2³ = 8)
_DOUBLE_ENDS = frozenset("slfz")  # letters an English word ends with twice (pass, all, off, buzz)


_STRETCH_ASCII = re.compile(r"([a-zA-Z])\1\1")  # the same, 2.5× faster on ASCII text


def has_stretch(text: str) -> bool:
    """``text`` holds a letter three times in a row (a cheap test before reading word by word)."""
    return (_STRETCH_ASCII if text.isascii() else STRETCH).search(text) is not None


def destretch(word: str, known: frozenset[str], name: bool = False) -> str:
    """``word`` (lower-case, letters only, stretched) read back to its short form (see the
    module); ``name``: it was written with a capital, so a run of three at its end stays too."""
    runs = list(STRETCH.finditer(word))
    if not runs:
        return word
    forms = [
        _collapse(word, runs, picks) for picks in itertools.product((1, 2), repeat=min(len(runs), _MAX_RUNS))
    ]
    for form in forms:
        if form in known:
            return form
    for form in forms:
        if form in DOUBLED:
            return form
    # An unknown word: a run of three inside it is how it is spelt (a name such as ``Dallley``,
    # a German compound); a longer run, or one at its end, is a stretch. At the end, ``s``,
    # ``l``, ``f`` and ``z`` stay double (``compasss`` → ``compass``), other letters single.
    return _collapse(word, runs, [_keep(word, m, name) for m in runs])


def _keep(word: str, run: re.Match[str], name: bool) -> int:
    """Letters of ``run`` an unknown stretched word keeps (see :func:`destretch`)."""
    n = run.end() - run.start()
    if name and n == 3:
        return 3
    if run.end() == len(word):
        return 2 if run.group(1) in _DOUBLE_ENDS else 1
    return 3 if n == 3 else 1


def _collapse(word: str, runs: list[re.Match[str]], picks: tuple[int, ...] | list[int]) -> str:
    """``word`` with its k-th run written ``picks[k]`` letters long (one letter past the picks)."""
    out: list[str] = []
    pos = 0
    for k, m in enumerate(runs):
        out.append(word[pos : m.start()] + m.group(1) * (picks[k] if k < len(picks) else 1))
        pos = m.end()
    out.append(word[pos:])
    return "".join(out)


def plain(token: str, known: frozenset[str]) -> str:
    """``token`` as written in a unit: a stretched word read back (its first capital kept); any
    other token unchanged. Capitals (``AAA``) are left alone."""
    if not token.isalpha() or token.isupper():
        return token
    short = destretch(token.lower(), known, name=token[0].isupper())
    if short == token.lower():
        return token
    return short.capitalize() if token[0].isupper() else short


def without_emoji(text: str) -> str:
    """``text`` without its emoji (and the space one leaves)."""
    if text.isascii():
        return text
    return " ".join(EMOJI.sub(" ", text).split()) if EMOJI.search(text) else text
