"""Speakers shown by their full names, as a chat app's contact list or an export writes them.

People call each other by a first name in what they write (``Hey Caroline!``), but the app
labels each message with the contact's full name: ``Caroline Ama Mensah``, ``Nguyễn Văn An``.
:func:`full_named` relabels each speaker of a dialogue so (the text and the questions stay); the
full name keeps the first name the conversation uses, then two more words.
"""

from __future__ import annotations

import dataclasses
import zlib

from tests.bench.reader.dialogue import Dialogue

_MIDDLE = ("Ama", "Marie", "José", "Van", "Li", "Ann", "Ali", "De")
_LAST = ("Mensah", "Okafor", "Nguyễn", "García", "O'Brien", "Kowalski", "Haddad", "Rossi")


def full_name(first: str, key: str) -> str:
    """``first`` and two (or three) more words, chosen by ``key``."""
    h = zlib.crc32(f"{key}/{first}".encode())
    return f"{first} {_MIDDLE[h % len(_MIDDLE)]} {_LAST[(h >> 8) % len(_LAST)]}"


def full_named(d: Dialogue) -> Dialogue:
    """``d`` with each speaker labelled by a full name of three words or more."""
    names = {s: full_name(s, d.name) for s in d.speakers}
    turns = tuple(dataclasses.replace(t, speaker=names[t.speaker]) for t in d.turns)
    a, b = d.speakers
    return dataclasses.replace(d, speakers=(names[a], names[b]), turns=turns)
