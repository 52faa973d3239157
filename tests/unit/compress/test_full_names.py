"""Speakers labelled by full names: three words (``Priya Anand Sharma``), particles
(``Tom van der Berg``), a name field with underscores. Chat apps and exports label each message
with the contact's whole name while the people call each other by a first name."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from proxy.compress import DroppedMessage
from proxy.compress.dates import line_stamp
from proxy.compress.name_marks import by_convention
from proxy.compress.speakers import speaker_prefix
from proxy.compress.transcripts import read_line
from tests.unit.compress.rendered_chat import RENDERINGS, assert_every_fact_attributed, digest_lines

FULL = {"Priya": "Priya Anand Sharma", "Tom": "Tom van der Berg"}


def full_named(dropped: tuple[DroppedMessage, ...]) -> tuple[DroppedMessage, ...]:
    """``dropped`` with each speaker's label (``Priya:``, ``Priya (…):``, the name field) the
    full name; the names inside the text stay first names."""
    out = []
    for m in dropped:
        text = m.text
        for short, full in FULL.items():
            text = text.replace(f"{short}: ", f"{full}: ").replace(f"{short} (", f"{full} (")
        out.append(dataclasses.replace(m, text=text, speaker=FULL.get(m.speaker or "", m.speaker)))
    return tuple(out)


@pytest.mark.parametrize("rendering", sorted(RENDERINGS))
def test_every_fact_has_its_speakers_full_name_and_its_day_in_every_rendering(rendering: str) -> None:
    dropped = full_named(RENDERINGS[rendering]())
    assert any("Priya Anand Sharma" in m.text or m.speaker == "Priya Anand Sharma" for m in dropped)
    assert_every_fact_attributed(digest_lines(dropped), label=FULL.__getitem__)


def test_names_of_three_words_and_with_particles_are_speakers() -> None:
    for name in ("Mary Ann Lee", "Nguyễn Văn An", "Ludwig van Beethoven", "María de la Cruz",
                 "Salman bin Khalid", "Jean-Luc Picard", "Fahim Khan", "محمد بن سلمان"):  # fmt: skip
        assert speaker_prefix(f"{name}: hello there") == name, name
    # still not names: four capitalised words (a heading), a particle at either end, prose
    for line in ("Key Takeaways From Today: the build", "van Gogh: painted", "Vincent van: hi",
                 "The best thing: x", "Pros and Cons: x", "Step 2: x"):  # fmt: skip
        assert speaker_prefix(line) is None, line
    # a phone number of three groups is still read as the number
    assert speaker_prefix("+44 7700 900123: on my way") == "+44 7700 900123"


def test_full_names_by_their_stamps_and_in_a_mail_quote() -> None:
    assert line_stamp("Mary Ann Lee (29.12.2023, 22:42:04): hi")[1] == "Mary Ann Lee: hi"
    assert line_stamp("Mary Ann Lee, [29.12.23 22:42]")[1] == "Mary Ann Lee: "
    quote = "On Mon, May 8, 2023 at 1:56 PM Mary Ann Lee <mary.lee@example.com> wrote:"
    read = read_line([quote], 0)
    assert read == (dt.date(2023, 5, 8), "Mary Ann Lee: "), read
    said = read_line(['Salman bin Khalid said, "I moved to Leeds."'], 0)
    assert said is not None and said[1].startswith("Salman bin Khalid: "), said


def test_a_screenplays_names_in_capitals_with_an_apostrophe_or_a_hyphen() -> None:
    lines = []
    for name, text in [("GINA O'BRIEN", "I lost my job at Door Dash."), ("JEAN-LUC MARIE PICARD", "I opened a dance studio."),
                       ("GINA O'BRIEN", "I launched an ad campaign."), ("JEAN-LUC MARIE PICARD", "Marley flooring it is.")]:  # fmt: skip
        lines += [(None, name), (None, text), (None, "")]
    read = by_convention([lines])[0]
    assert [rest for _, rest in read if rest.endswith(": ")] == [
        "GINA O'BRIEN: ",
        "JEAN-LUC MARIE PICARD: ",
        "GINA O'BRIEN: ",
        "JEAN-LUC MARIE PICARD: ",
    ]


def test_a_mail_quotes_name_with_a_particle_written_with_a_capital() -> None:
    quote = "On Mon, May 8, 2023 at 1:56 PM Tim De Rossi <tim.rossi@example.com> wrote:"
    assert read_line([quote], 0) == (dt.date(2023, 5, 8), "Tim De Rossi: ")
    # ``de`` in a date is still the date's
    assert read_line(["On 8 de mayo de 2023 Tim <tim@example.com> wrote:"], 0) == (
        dt.date(2023, 5, 8),
        "Tim: ",
    )
