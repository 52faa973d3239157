"""A chat as people type it on a phone: stretched words, laughs, emoji and chat spellings carry
no fact and take no room in the digest; the facts beside them stay.

Fixtures written for these tests (two friends, Priya and Tom, texting over two days).
"""

from __future__ import annotations

import re

import pytest

from proxy.compress import DroppedMessage, SummaryRequest
from proxy.compress.digest import build_summary
from proxy.compress.spelling import destretch, plain, without_emoji
from proxy.compress.units import STOPWORDS, condense, content_words

KNOWN = STOPWORDS | frozenset(("good", "cool", "great", "love", "happy", "no"))


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("sooooo", "so"),
        ("yesss", "yes"),
        ("gooood", "good"),
        ("coooool", "cool"),
        ("greaaaat", "great"),
        ("noooo", "no"),
        ("sooon", "soon"),  # not "son"
        ("sweeeet", "sweet"),
        ("exciteeeeed", "excited"),
        ("exciteddd", "excited"),
        ("compasss", "compass"),
        ("dallley", "dallley"),  # a name spelt so (a run of three inside an unknown word)
        ("schifffahrt", "schifffahrt"),
        ("lmaooo", "lmao"),
        ("hahahaaa", "hahaha"),
    ],
)
def test_a_stretched_word_reads_back_to_its_short_form(typed: str, read: str) -> None:
    assert destretch(typed, KNOWN) == read


@pytest.mark.parametrize(
    "token",
    [
        "AAA",
        "WWW",
        "www.example.com",
        "#ffffff",
        "deadbeeef1",
        "Schifffahrt",
        "Balletttänzer",
        "Dallley",
        "good",
    ],
)
def test_capitals_compounds_and_tokens_with_digits_or_dots_are_left_alone(token: str) -> None:
    assert plain(token, KNOWN) == token


def test_a_capital_is_kept_when_a_stretched_word_is_read_back() -> None:
    assert plain("Gooood", KNOWN) == "Good"
    assert plain("Exciteeeeed", KNOWN) == "Excited"


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("omg lmao 😂 thats sooo cool", "cool"),
        ("Wooooow coooool!!! 🙌", "cool"),
        ("hahaha ur so funny 😂😂", "funny"),
        ("i was sooo tired lol but the hike to Ben Nevis was worth it", "tired hike Ben Nevis worth"),
        ("Exciteeeeed for the new job at Halden Bank 🥳", "Excited new job Halden Bank"),
        ("theyll love it, youd be surprised", "love surprised"),
        ("So it turns out Im allergic to shellfish", "turns allergic shellfish"),  # "Im" is no name
        ('omg 😍😍 i loved "The Name of the Wind" by Rothfuss', 'loved "The Name of the Wind" Rothfuss'),
    ],
)
def test_condensed_text_drops_laughs_emoji_and_stretches_and_keeps_the_facts(typed: str, kept: str) -> None:
    assert condense(typed) == kept


@pytest.mark.parametrize(
    "typed", ["lmao ikr", "hbu? wyd rn", "awww ty ❤️", "ok ok sounds gooood", "Heyyy how r u doing"]
)
def test_a_reaction_has_no_content_words(typed: str) -> None:
    assert [w for w in content_words(condense(typed)) if w not in ("good", "sounds")] == []


def test_a_negation_typed_without_its_apostrophe_stays() -> None:
    assert condense("i dont eat meat anymore, cant stand it") == "dont eat meat anymore cant stand"


def test_emoji_go_but_ticks_crosses_and_arrows_stay() -> None:
    assert without_emoji("tests ✓ 12 passed ✗ 1 failed → fix 🎉") == "tests ✓ 12 passed ✗ 1 failed → fix"
    assert without_emoji("plain ascii text :)") == "plain ascii text :)"


# Two friends texting, one message a line of a chat export: bursts of short messages.
CHAT = [
    ("08.05.2023, 13:56:04", "Priya", "omggg guess what"),
    ("08.05.2023, 13:56:09", "Priya", "i adopted a greyhound called Pesto from the shelter!!! 🐶🐶"),
    ("08.05.2023, 13:56:30", "Tom", "Noooo wayyy 😍😍"),
    ("08.05.2023, 13:56:41", "Tom", "thats sooooo cool haha"),
    ("08.05.2023, 13:57:02", "Tom", "Im starting pottery classes at the Kiln Street studio tmrw lol"),
    ("08.05.2023, 13:57:15", "Priya", "yesss love that for u 🙌"),
    ("09.05.2023, 19:02:11", "Tom", "heyyy hbu"),
    ("09.05.2023, 19:02:40", "Priya", "lmaooo Pesto ate my left shoe"),
    ("09.05.2023, 19:03:05", "Tom", "hahahahaha rip"),
    ("09.05.2023, 19:03:30", "Priya", "ikr 😭 gonna buy a crate from Halden Pets tmrw"),
]


def test_a_texting_chat_digest_holds_the_facts_and_none_of_the_noise() -> None:
    dropped = tuple(
        DroppedMessage("user" if who == "Priya" else "assistant", f"{stamp} - {who}: {text}")
        for stamp, who, text in CHAT
    )
    text = build_summary(SummaryRequest(previous=None, dropped=dropped, max_tokens=400, model="gpt-4o"), None)
    body = text.split("\n", 1)[1]
    for fact in (
        "greyhound",
        "Pesto",
        "shelter",
        "pottery",
        "Kiln Street",
        "left shoe",
        "crate",
        "Halden Pets",
    ):
        assert fact in body, fact
    assert "[8 May 2023]" in body and "[9 May 2023]" in body
    assert "Priya:" in body and "Tom:" in body
    assert not re.search(r"([a-z])\1\1", body, re.I), body  # no stretched word
    assert not re.search("[\U0001f000-\U0001faff\u2600-\u26ff\u2764]", body), body  # no emoji
    for noise in ("lol", "lmao", "haha", "omg", "ikr", "hbu", "yes", "gonna"):
        assert not re.search(rf"\b{noise}\w*", body, re.I), (noise, body)
