"""A conversation as people type it on a phone: the same facts, written the way real chats are.

LoCoMo's turns and the generated styles are tidy prose. People texting write otherwise, and a
digest tuned on prose can spend its room on what they add. :func:`texted` rewrites a dialogue
(deterministically, by turn id):

- one speaker types all in lower case (names too), the other drops the final full stop;
- contractions lose their apostrophe (``dont``, ``im``, ``thats``); possessives keep theirs;
- chat spellings: ``u``, ``ur``, ``bc``, ``gonna``, ``wanna``, ``btw``, ``tbh``, ``idk``, ``rn``,
  ``tmrw``, ``thx``, ``pls``, ``prob``, ``def``, ``tho``, ``ppl``;
- stretched words (``sooo``, ``yesss``, ``gooood``, ``omggg``), laughs and emoji after a
  sentence (``haha``, ``lmao``, ``😂``), ``!!!``;
- a turn of several sentences is sent as a burst: each sentence a message of its own (ids
  ``D1:3``, ``D1:3+1`` …; a question's evidence names every piece), and now and then a bare
  reaction (``omg``, ``wait what``, ``ikr``) before a turn.

The questions and gold answers stay as they are: the facts are the same words.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import zlib

from tests.bench.reader.dialogue import Dialogue, Question, Turn

_CONTRACTION = re.compile(r"\b(\w+)['’](t|m|re|ve|ll|d)\b", re.I)
_IT_IS = re.compile(r"\b(it|that|what|there|he|she|let|who|where|how)['’]s\b", re.I)
# (pattern, spellings): each occurrence replaced with a chance
_SPELLINGS: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = tuple(
    (re.compile(rf"\b{a}\b", re.I), b)
    for a, b in (
        ("you are", ("ur", "u r")),
        ("you", ("u",)),
        ("your", ("ur",)),
        ("because", ("bc", "cuz")),
        ("going to", ("gonna",)),
        ("want to", ("wanna",)),
        ("by the way", ("btw",)),
        ("to be honest", ("tbh",)),
        ("I don't know", ("idk",)),
        ("right now", ("rn",)),
        ("tomorrow", ("tmrw",)),
        ("thank you", ("ty", "thank u")),
        ("thanks", ("thx", "thanks")),
        ("please", ("pls", "plz")),
        ("okay", ("ok", "k")),
        ("probably", ("prob",)),
        ("definitely", ("def",)),
        ("though", ("tho",)),
        ("people", ("ppl",)),
        ("oh my god", ("omg",)),
    )
)
_STRETCH = frozenset(
    "so yes hey hi nice good wow cool love omg yay thanks sure oh fun cute happy excited really great".split()
)
_TAILS = (" haha", " hahaha", " lol", " lmao", " 😂", " 😊", " ❤️", " 🙌", " 😅", " 🥳", " 👍", " 😭")
_REACTIONS = ("omg", "lol", "hahaha", "wait what", "yesss", "awww", "ikr", "no way", "ok ok", "hmmm", "ahh")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=\S)")
_VOWELS = "aeiou"


def _stretch(word: str, rng: random.Random) -> str:
    n = rng.randint(2, 4)
    if word[-1].lower() in _VOWELS + "ysgh":
        return word + word[-1] * n
    last = max(word.rfind(v) for v in _VOWELS)
    return word if last < 0 else word[: last + 1] + word[last] * n + word[last + 1 :]


def texting_text(text: str, rng: random.Random, lower: bool) -> str:
    """``text`` as one speaker types it (see the module's list)."""
    if rng.random() < 0.8:
        text = _CONTRACTION.sub(r"\1\2", text)
        text = _IT_IS.sub(r"\1s", text)
    for pattern, spellings in _SPELLINGS:

        def spell(m: re.Match[str], spellings: tuple[str, ...] = spellings) -> str:
            return rng.choice(spellings) if rng.random() < 0.6 else m.group(0)

        text = pattern.sub(spell, text)
    words = text.split(" ")
    for i, w in enumerate(words):
        bare = w.strip(".,!?").lower()
        if bare in _STRETCH and rng.random() < 0.35:
            words[i] = w.replace(w.strip(".,!?"), _stretch(w.strip(".,!?"), rng))
    text = " ".join(words)
    return text.lower() if lower else text


def _tail(sentence: str, rng: random.Random) -> str:
    if sentence.endswith("!") and rng.random() < 0.3:
        sentence += "!!"
    if rng.random() < 0.3:
        sentence += rng.choice(_TAILS)
    return sentence


def _burst(text: str, rng: random.Random, lower: bool) -> list[str]:
    """The sentences of a turn, each to be sent on its own (very short ones stay with the next);
    a speaker who types in capitals leaves out the full stop at the end of each."""
    if not lower:
        return [p[:-1] if p.endswith(".") else p for p in _burst(text, rng, True)]
    out: list[str] = []
    carry = ""
    for piece in _SENTENCE.split(text):
        piece = f"{carry} {piece}".strip() if carry else piece
        if len(piece.split()) < 3:
            carry = piece
            continue
        out.append(_tail(piece, rng))
        carry = ""
    if carry:
        out.append(_tail(carry, rng) if not out else carry)
    return out or [text]


def texted(d: Dialogue) -> Dialogue:
    """``d`` as people type on a phone (see the module)."""
    turns: list[Turn] = []
    pieces: dict[str, list[str]] = {}
    for t in d.turns:
        rng = random.Random(zlib.crc32(f"{d.name}/{t.id}".encode()))
        lower = t.speaker == d.speakers[0]
        parts = _burst(texting_text(t.text, rng, lower), rng, lower)
        if rng.random() < 0.12:
            turns.append(Turn(f"{t.id}-", t.speaker, t.session, t.when, rng.choice(_REACTIONS)))
        ids = [t.id if k == 0 else f"{t.id}+{k}" for k in range(len(parts))]
        pieces[t.id] = ids
        for k, (tid, part) in enumerate(zip(ids, parts, strict=True)):
            when = t.when + dt.timedelta(seconds=min(50, 5 * k))
            caption = t.caption if k == len(parts) - 1 else ""
            turns.append(Turn(tid, t.speaker, t.session, when, part, caption))
    questions = tuple(
        Question(q.question, q.answer, tuple(i for e in q.evidence for i in pieces.get(e, [e])), q.category)
        for q in d.questions
    )
    return Dialogue(d.name, d.speakers, d.sessions, tuple(turns), questions)
