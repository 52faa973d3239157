"""A sentence that says nothing gives the digest no unit: fewer than two different content
words (feelings aside) and no number. A word said twice is still one word."""

from __future__ import annotations

from proxy.compress import DroppedMessage
from proxy.compress.digest_units import make_units


def _texts(*lines: str) -> list[str]:
    units, _ = make_units((DroppedMessage("user", "\n".join(lines)),), None)
    return [f"{u.speaker}: {u.text}" for u in units]


def test_a_word_said_twice_is_a_filler() -> None:
    texts = _texts("Fahim: bro bro!!", "Ali: yaar yaar yaar", "Fahim: I sold my bike to Ali's cousin.")
    assert not any(t.startswith(("Fahim: bro", "Ali: yaar")) for t in texts), texts
    assert any("sold bike" in t for t in texts), texts


def test_two_words_or_a_number_still_make_a_unit() -> None:
    texts = _texts("Fahim: Berlin marathon!", "Ali: 42 42")
    assert any(t.startswith("Fahim: Berlin marathon") for t in texts), texts
    assert any(t.startswith("Ali: 42") for t in texts), texts
