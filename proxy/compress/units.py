"""Units of a digest: attributed, condensed sentences (or clauses) of the dropped messages.

A dropped message is split into sentences (long ones into clauses). Each unit knows who said
it (the message's speaker: a ``name`` field, a ``Name:`` prefix the conversation uses for
several messages, a MassGen agent label, else the role) and when (the last session date or
timestamp seen at the start of a message, carried forward). Its text is *condensed*:
stopwords, fillers and greetings of the text's language (:mod:`stopwords`) go; names, numbers,
dates, quantities, quoted titles, paths, ids and negations stay. Its content words (lowercase,
stopwords removed) are what the digest's IDF-weighted selection counts.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date

from proxy.compress import salient
from proxy.compress.speakers import speaker_prefix
from proxy.compress.spelling import has_stretch, plain, without_emoji
from proxy.compress.stopwords import CHAT_EN, EN, LANGUAGES, LAUGHS, elided, language, normalise

STOPWORDS = EN | CHAT_EN | LAUGHS  # English function words (what an answer's content words never are)
NEGATIONS = frozenset(
    """not no never nor none nobody nothing neither nowhere cannot can't don't doesn't didn't
    won't wouldn't isn't aren't wasn't weren't haven't hasn't hadn't shouldn't couldn't
    mustn't without longer anymore instead""".split()
)
_NUMBER_WORDS = frozenset(
    """zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen
    fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty
    ninety hundred thousand million billion half dozen first second third once twice""".split()
)
_STRIP = ".,;:!?()[]{}<>\"'`*“”‘’…«»¿¡„"
_AGENT_LABEL = re.compile(r"<(agent\d+\.\d+)>")
_QUOTED = re.compile(r"[\"“]([^\"”\n]{2,80})[\"”]")
MAX_UNIT_WORDS = 40  # longer sentences are split into clauses
_CLAUSE = re.compile(r"(?<=[,;:])\s+|\s+(?=(?:but|and|because|while|although|so that|which)\s)")


_WORD = re.compile(r"[^\W_][\w'’./-]*[^\W_]|[^\W_]")


_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]+")


def _cjk_pairs(words: list[str]) -> list[str]:
    """Chinese, Japanese and Korean are written without spaces: a run of their characters
    counts as its overlapping pairs of characters (``自行车`` → ``自行``, ``行车``)."""
    out: list[str] = []
    for w in words:
        runs = _CJK.findall(w)
        if not runs:
            out.append(w)
            continue
        out.extend(p for p in _CJK.split(w) if len(p) > 1 or p.isdigit())
        for run in runs:
            out.extend(run[i : i + 2] for i in range(max(1, len(run) - 1)))
    return out


def content_words(text: str) -> list[str]:
    """Lowercase content words (stopwords out, negations and numbers in), in order; the
    stopwords of the text's language (:func:`stopwords.language`, English by default). A
    stretched word (``sooooo``) is read back by :func:`condense`, not here: units are condensed."""
    found = _WORD.findall(text.lower())
    if not text.isascii() and _CJK.search(text):
        found = _cjk_pairs(found)
    lang = language(found, text)
    if lang == "en":
        return [w for w in found if w not in _DROP and (len(w) > 1 or w.isdigit())]
    drop = _DROPS[lang]
    out: list[str] = []
    for w in found:
        if "’" in w or "'" in w:
            w = elided(normalise(w))[1]
        if w not in drop and (len(w) > 1 or w.isdigit()):
            out.append(w)
    return out


# How someone felt or judged something ("loved it", "so happy", "sorry") is often what is asked
# later ("how did she feel about …"): kept in a unit, though not worth a question's words.
FEELINGS = frozenset(
    """love happy glad great awesome amazing cool nice lovely wonderful fantastic fun good sorry hope
    wish hear heard think know sounds sound right fair enough exactly""".split()
)
_KEEP_ALWAYS = NEGATIONS | _NUMBER_WORDS | FEELINGS
_DROP = STOPWORDS - _KEEP_ALWAYS
_PRONOUNS = frozenset(("i", "i'm", "i've", "i'll", "i'd", "im", "ive"))  # (and typed without the apostrophe)
# Function words written with a capital inside a sentence that are still function words: the
# German polite "Sie" and its forms (a capital elsewhere marks a name: "May", "Will", "Ben").
_CAPITAL_PRONOUNS = _PRONOUNS | frozenset("sie ihr ihnen ihre ihren ihrem ihrer ihres usted ustedes".split())
_DROPS = {"en": _DROP} | {lang: (words | LAUGHS) - _KEEP_ALWAYS for lang, words in LANGUAGES.items()}
_KNOWN = STOPWORDS | _KEEP_ALWAYS  # what a stretched word is read back to first (:mod:`spelling`)
_TRIM_RIGHT = ".!?;,:…)]}\"'*"
_TRIM_LEFT = "([{\"'*"


# Words that join the parts of a name or title ("Lord of the Rings", "Bank of America"): kept
# between two capitalised words, at most two in a row.
_JOINERS = frozenset("of the de du des la le van von der da di del".split())


def _joins_name(raws: list[str], i: int) -> bool:
    """``raws[i]`` joins a capitalised word before it to one after it (one other joiner between)."""

    def capital(j: int) -> bool:
        return 0 <= j < len(raws) and raws[j][:1].isupper() and raws[j] != "I"

    before = i - 1 if i >= 1 and raws[i - 1].lower() not in _JOINERS else i - 2
    if before < 0 or not capital(before) or raws[before][-1:] in ".,;:!?)":
        return False
    after = i + 1 if i + 1 < len(raws) and raws[i + 1].lower() not in _JOINERS else i + 2
    return capital(after) and all(raws[j].lower() in _JOINERS for j in range(before + 1, after))


def condense(sentence: str) -> str:
    """The sentence without fillers and stopwords; facts, names, numbers and negations kept.

    Kept: every word that is not a stopword, negations, numbers (digits or words), a
    capitalised word inside the sentence (a name: "May", "Will"), the words joining a name's
    parts ("Lord of the Rings") and quoted titles whole.
    """
    sentence = without_emoji(sentence)  # before the quotes are found: their spans index it
    stretched = has_stretch(sentence)  # ``sooooo`` is ``so``: read back before it is judged
    quoted = (
        [(m.start(), m.end()) for m in _QUOTED.finditer(sentence)]
        if '"' in sentence or "“" in sentence
        else []
    )
    out: list[str] = []
    pos = 0
    raws = sentence.split()
    lang = language(raws, sentence)
    drop, pronouns = (_DROP, _PRONOUNS) if lang == "en" else (_DROPS[lang], _CAPITAL_PRONOUNS)
    for i, raw in enumerate(raws):
        if quoted:
            start = sentence.find(raw, pos)
            pos = start + len(raw)
            if any(a <= start < b for a, b in quoted):
                out.append(raw)
                continue
        w = raw.strip(_STRIP)
        if not w:
            continue
        if stretched and (short := plain(w, _KNOWN)) != w:
            raw, w = raw.replace(w, short), short
        low = w.lower()
        if lang != "en" and ("'" in low or "’" in low):  # l'école → école, qu'il → (nothing)
            head, low = elided(normalise(low))
            if head and low not in drop:
                raw = w = raw.strip(_STRIP)[len(head) :]
        if low in drop and not (i and w[0].isupper() and low not in pronouns):
            if not (low in _JOINERS and raw == w and _joins_name(raws, i)):
                continue
        tok = raw.rstrip(_TRIM_RIGHT).lstrip(_TRIM_LEFT)
        if tok:
            out.append(tok)
    return " ".join(out).replace("|", "/").replace(";", ",")


def split_units(text: str) -> list[str]:
    """Sentences of ``text``; a sentence longer than ``MAX_UNIT_WORDS`` words is cut into clauses."""
    out: list[str] = []
    for sent in salient.sentences(text):
        words = sent.split()
        if len(words) <= MAX_UNIT_WORDS:
            out.append(sent)
            continue
        chunk: list[str] = []
        for piece in _CLAUSE.split(sent):
            n = len(piece.split())
            if chunk and sum(len(c.split()) for c in chunk) + n > MAX_UNIT_WORDS // 2:
                out.append(" ".join(chunk))
                chunk = []
            chunk.append(piece)
        if chunk:
            out.append(" ".join(chunk))
    return out


@dataclass(slots=True)
class Unit:
    """One selectable piece of the dropped span."""

    pos: int  # order in the span
    msg: int  # index of its message in the span
    speaker: str
    day: date | None
    text: str  # condensed
    words: tuple[str, ...]  # distinct content words
    cost: int  # estimated tokens of ``text`` (plus its share of a line's framing)
    required: bool = False  # always kept (a MassGen user question)
    weight: float = 1.0  # scales its gain (a proxy placeholder's words weigh less)
    turn: int = -1  # index of its turn in the span (several can share a message); -1: none


def estimate_tokens(text: str) -> int:
    """A deliberately high character-based estimate (≈3.2 chars per token)."""
    return int(len(text) / 3.2) + 1


def find_speakers(texts: list[str]) -> frozenset[str]:
    """``Name:`` prefixes that name speakers: used by two messages or more, or by every one
    when most messages of the span start with such a prefix (a transcript's convention)."""
    prefixes = [p for t in texts if (p := speaker_prefix(t))]
    counts = Counter(prefixes)
    if len(prefixes) * 2 > len(texts):
        return frozenset(counts)
    return frozenset(p for p, n in counts.items() if n >= 2)


def idf_weights(docs: list[set[str]]) -> dict[str, float]:
    """Inverse document frequency over the span's messages: rare words weigh more."""
    df: Counter[str] = Counter()
    for d in docs:
        df.update(d)
    n = len(docs) + 1
    return {w: math.log(1.0 + n / c) for w, c in df.items()}


def clip_words(text: str, max_chars: int) -> str:
    """``text`` cut to at most ``max_chars`` characters at a word boundary, ``…`` marking the cut
    (the last resort of a digest that has no room for one whole line: a word cut in two reads
    as another word, ``str_replace_e``)."""
    if len(text) <= max_chars:
        return text
    room = max(0, max_chars - 1)
    cut = text.rfind(" ", 0, room + 1)
    head = text[:cut] if cut > 0 else ""
    return head.rstrip(" ;|,:-") + "…" if head else ""
