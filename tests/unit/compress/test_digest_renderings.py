"""Dates and speakers in the digest however a client renders a conversation: every fact
with its speaker and its day, no stamp as content, a ``name`` field read as the name it stands
for and not repeated, a long run of one speaker in segments that each name the speaker.
"""

from __future__ import annotations

import pytest

from proxy.compress import DroppedMessage
from proxy.compress.stages.summarize import dropped_messages
from proxy.wire import get_adapter
from tests.unit.compress.rendered_chat import (
    DAYS,
    RENDERINGS,
    assert_every_fact_attributed,
    digest_lines,
    digest_segments,
)


@pytest.mark.parametrize("rendering", sorted(RENDERINGS))
def test_every_fact_has_its_speaker_and_its_day_in_every_rendering(rendering: str) -> None:
    assert_every_fact_attributed(digest_lines(RENDERINGS[rendering]()))


@pytest.mark.parametrize("rendering", sorted(RENDERINGS))
def test_a_stamp_is_never_content(rendering: str) -> None:
    body = digest_segments(digest_lines(RENDERINGS[rendering]()))
    for noise in (
        "13:56",
        "1:56",
        "2023-05-08",
        "08.05.2023",
        "5/8/23",
        "Session",
        "Mon ",
        "pm on",
        "PM",
        "===",
        "user:",
        "assistant:",
    ):
        assert noise not in body, noise


def test_a_long_run_of_one_speaker_is_split_into_segments_that_each_name_the_speaker() -> None:
    from proxy.compress.digest_entries import SEGMENT_CHARS, render_units
    from proxy.compress.units import Unit

    text = "adopted greyhound called Pesto shelter Saturday " * 3
    units = [Unit(i, i, "Priya", DAYS[0], f"{text}{i}", ("pesto",), 40) for i in range(4)]
    (entry,) = render_units(units)
    segments = entry.body.split(" | ")
    assert len(segments) > 1 and all(s.startswith("Priya: ") for s in segments)
    assert all(len(s) <= SEGMENT_CHARS + len("Priya: ") + len(text) + 4 for s in segments)


def test_one_turns_units_share_a_segment_while_the_turn_is_short() -> None:
    """A turn's facts read together, labelled once (``Priya: adopted …; vet …``), up to
    ``TURN_SEGMENT_CHARS``; another turn of the same speaker, or a longer turn, splits past
    ``SEGMENT_CHARS`` as before. A tool loop's lines (no turn) split as they come."""
    from proxy.compress.digest_entries import SEGMENT_CHARS, TURN_SEGMENT_CHARS, render_units
    from proxy.compress.units import Unit

    def unit(pos: int, turn: int, text: str) -> Unit:
        u = Unit(pos, 0, "Priya", DAYS[0], text, ("pesto",), 20)
        u.turn = turn
        return u

    a = "adopted greyhound called Pesto from the Leeds shelter on Saturday morning after months"
    b = "vet says Pesto is 4 years old, 31 kg, and needs a soft diet for two weeks after surgery"
    assert SEGMENT_CHARS < len(a) + len(b) + 2 <= TURN_SEGMENT_CHARS
    (entry,) = render_units([unit(0, 7, a), unit(1, 7, b)])
    assert entry.body == f"Priya: {a}; {b}"  # one turn: one segment
    (entry,) = render_units([unit(0, 7, a), unit(1, 8, b)])
    assert entry.body == f"Priya: {a} | Priya: {b}"  # two turns: split past SEGMENT_CHARS
    (entry,) = render_units([unit(0, -1, a), unit(1, -1, b)])
    assert entry.body == f"Priya: {a} | Priya: {b}"  # no turn (a tool loop's lines)
    c = "then walked him twice round Roundhay Park and bought a harness, a crate and a bed"
    (entry,) = render_units([unit(0, 7, a), unit(1, 7, b), unit(2, 7, c)])
    assert entry.body.count("Priya: ") == 3  # the turn is longer than TURN_SEGMENT_CHARS


def test_a_name_field_reads_as_the_name_it_stands_for() -> None:
    """The ``name`` field allows no spaces: ``Fahim_Khan`` is written ``Fahim Khan`` in the digest."""
    messages = [{"role": "system", "content": "Chat."}] + [
        {
            "role": "user" if i % 2 == 0 else "assistant",
            "name": "Fahim_Khan" if i % 2 == 0 else "Muhhamed",
            "content": ("Session 1 · Friday, 29 December 2023\n" if i == 0 else "")
            + f"I ran the lakefront trail loop number {i} and took photos",
        }
        for i in range(4)
    ]
    conv = get_adapter("openai-chat").parse({"model": "gpt-4o", "messages": messages})
    lines = digest_lines(dropped_messages(list(conv.groups)))
    assert lines[0].startswith("- [29 December 2023] Fahim Khan: ran lakefront trail loop number 0"), lines
    assert "Muhhamed: " in lines[0] and "Fahim_Khan" not in lines[0]


def test_a_name_written_again_in_the_text_is_not_repeated() -> None:
    """A client that fills the ``name`` field and also opens the text with ``Name:``."""
    span = tuple(
        DroppedMessage(
            "user" if i % 2 == 0 else "assistant",
            ("Session 1 · Monday, 8 May 2023\n" if i == 0 else "")
            + f"{'Priya' if i % 2 == 0 else 'Tom'}: I tried the kayak workshop number {1000 + i} in Leeds",
            speaker="Priya" if i % 2 == 0 else "Tom",
        )
        for i in range(6)
    )
    lines = digest_lines(span)
    assert lines[0].startswith("- [8 May 2023] Priya: tried kayak workshop number 1000"), lines
    assert "Priya: Priya" not in "\n".join(lines) and "Tom: Tom" not in "\n".join(lines)


def test_a_chat_turn_with_two_facts_reads_as_one_segment() -> None:
    from proxy.compress import DroppedMessage, SummaryRequest
    from proxy.compress.digest import build_summary

    span = (
        DroppedMessage(
            "user",
            "Session 1 · Monday, 8 May 2023\nI adopted a greyhound called Pesto from the Leeds shelter on "
            "Saturday, he is four years old. My sister Anjali moved to Porto last month for a job at the "
            "Marble Otter bakery near the river, and she already runs its sourdough shift on weekends.",
            speaker="Priya",
        ),
        DroppedMessage("user", "That is lovely news, how is Pesto settling in with the cats?", speaker="Sam"),
    )
    text = build_summary(SummaryRequest(None, span, 400, "gpt-4o"))
    line = next(ln for ln in text.split("\n") if ln.startswith("- [8 May 2023]"))
    priya = line.split(" | ")[0]
    assert "Pesto" in priya and "Anjali" in priya and "sourdough" in priya, line
    assert line.count("Priya: ") == 1 and len(priya) > 160, line
