"""A digest with room for less than one line cuts it at a word, never inside one: a word cut in
two reads as another word (``services/registry`` → ``servi``, ``str_replace_editor`` →
``str_replace_e``)."""

from __future__ import annotations

from proxy.compress import DroppedMessage, SummaryRequest, TokenCounter
from proxy.compress.digest import build_summary
from proxy.compress.units import clip_words

COUNTER = TokenCounter()
ENCODING = COUNTER.encoding("gpt-4o")


def _count(text: str) -> int:
    return len(ENCODING.encode(text))


def test_clip_words_cuts_at_a_word_and_marks_the_cut() -> None:
    text = "moved configuration_loader.py into services/registry because the build failed"
    assert clip_words(text, len(text)) == text
    clipped = clip_words(text, 50)
    assert clipped == "moved configuration_loader.py into…"
    assert len(clipped) <= 50
    assert clip_words("a; b | c d", 6) == "a; b…"  # no separator left dangling before the mark
    assert clip_words("configuration_loader.py", 10) == ""  # no word fits: nothing, not a piece


def test_a_tiny_summary_budget_keeps_whole_words_and_fits() -> None:
    span = tuple(
        DroppedMessage(
            "user" if i % 2 == 0 else "assistant",
            f"On 3 March 2024 I moved configuration_loader_{i}.py into services/registry_{i}/ because "
            f"the ImportError in bootstrap_{i} kept failing the nightly build number {1000 + i}.",
        )
        for i in range(60)
    )
    for budget in (64, 72):
        text = build_summary(SummaryRequest(None, span, budget, "gpt-4o"), _count)
        assert _count(text) <= budget
        line = next(ln for ln in text.split("\n") if ln.startswith("- "))
        assert line.endswith("…"), line  # the one line left was cut, and says so
        last_word = line[:-1].rsplit(" ", 1)[-1]
        assert last_word in {w for m in span for w in m.text.split()}, line  # a whole word
