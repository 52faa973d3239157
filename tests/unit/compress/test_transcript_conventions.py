"""How transcripts, mail threads, subtitle files, Zoom's saved chat and JSON-lines logs name
their speakers, read as ``Name: text`` with the day they carry; their framing reads as nothing.

The fixtures are :mod:`rendered_chat`'s (Priya and Tom over three sessions).
"""

from __future__ import annotations

import datetime as dt
import re

import orjson
import pytest

from proxy.compress.chat_lines import said_messages, stamped_lines
from proxy.compress.speakers import sender_name
from tests.unit.compress.rendered_chat import assert_read_as_a_chat, locomo_header, one_per_turn
from tests.unit.compress.test_chat_app_renderings import merged_days

MAY8 = dt.date(2023, 5, 8)


def read(text: str) -> list[tuple[dt.date | None, str]]:
    return stamped_lines(text.split("\n"))


def test_a_transcripts_said_and_a_subtitle_voice_name_the_speaker() -> None:
    assert read('Priya said, "I adopted a greyhound." and shared a photo of a dog.') == [
        (None, "Priya: I adopted a greyhound. and shared a photo of a dog.")
    ]
    assert read("Tom says: “I started pottery.”") == [(None, "Tom: I started pottery.")]
    assert read("WEBVTT\n\n1\n00:00:12.000 --> 00:00:15.500\n<v Priya Shah>I adopted a greyhound.</v>") == [
        (None, ""), (None, ""), (None, ""), (None, ""), (None, "Priya Shah: I adopted a greyhound.")
    ]  # fmt: skip
    assert read("<v.loud tom>Brilliant!") == [(None, "Tom: Brilliant!")]
    assert read("00:01:02,000 --> 00:01:04,000 align:start")[0] == (None, "")


def test_a_mail_header_opens_its_senders_message_on_its_day() -> None:
    header = "From: Priya Shah <priya@example.com>\nSent: Monday, May 8, 2023 1:56 PM\nTo: Tom\nCc: Ines <ines@example.com>\nSubject: Re: the weekend\n\nI adopted a greyhound."
    assert read(header) == [(None, "Priya Shah: "), (MAY8, ""), (None, ""), (None, ""), (None, ""), (None, ""),
                            (None, "I adopted a greyhound.")]  # fmt: skip
    assert read('From: "Shah, Priya" <priya@example.com>')[0] == (None, "Priya Shah: ")
    assert read("From: priya.shah@example.com")[0] == (None, "Priya Shah: ")
    assert read("From: Tom\nDate: Mon, 8 May 2023 13:56:00 +0200") == [(None, "Tom: "), (MAY8, "")]
    assert read("-----Original Message-----") == [(None, "")]
    assert read("On Mon, May 8, 2023 at 1:56 PM Priya Shah <priya@example.com> wrote:") == [
        (MAY8, "Priya Shah: ")
    ]
    assert read("On 8 May 2023, at 13:56, Tom <tom@example.com> wrote:") == [(MAY8, "Tom: ")]


def test_zoom_chat_and_a_json_log_name_the_sender() -> None:
    assert read("13:56:02 From Priya to Everyone:\n\tI adopted a greyhound.") == [
        (None, "Priya: "), (None, "\tI adopted a greyhound.")
    ]  # fmt: skip
    assert read("13:56:02 From Tom Baker to Priya (Direct Message):")[0] == (None, "Tom Baker: ")
    assert read("13:56:02\t From  Tom : hi all")[0] == (None, "Tom: hi all")
    line = orjson.dumps(
        {
            "date": "2023-05-08T13:56:00",
            "from": "priya",
            "text": ["I adopted ", {"type": "bold", "text": "Pesto"}],
        }
    )
    assert read(line.decode()) == [(MAY8, "Priya: I adopted Pesto")]
    assert read('{"author": {"name": "Tom"}, "content": "Brilliant!"}') == [(None, "Tom: Brilliant!")]
    slack = '{"user": "U024BE7LH", "text": "hi", "user_profile": {"real_name": "Priya Shah"}, "ts": "1683554160.000100"}'
    assert read(slack) == [(MAY8, "Priya Shah: hi")]  # the day of its ``ts``
    messenger = '{"sender_name": "Tom Baker", "timestamp_ms": 1683554160000, "content": "Brilliant!"}'
    assert read(messenger) == [(MAY8, "Tom Baker: Brilliant!")]
    assert read('{"from": "Tom", "text": "hi", "date_unixtime": "1683554160"}') == [(MAY8, "Tom: hi")]
    assert read('{"from": "Tom", "text": "hi", "ts": 42}') == [(None, "Tom: hi")]  # no time of this century
    # a dataset's message, and a message whose content object holds its parts (as ChatGPT writes one)
    assert read('{"speaker": "Tom", "date_time": "08.05.2023, 13:56:04", "clean_text": "hi"}') == [
        (MAY8, "Tom: hi")
    ]
    parts = '{"author": {"name": "Tom"}, "create_time": 1683554160.5, "content": {"content_type": "text", "parts": ["hi"]}}'
    assert read(parts) == [(MAY8, "Tom: hi")]
    # a chat API's message names a role, not a sender: an agent's code and examples look so
    for code in (
        '{"role": "user", "content": "Hello"}',
        '{"author": {"role": "user"}, "content": {"parts": ["hi"]}}',
    ):
        assert read(code) == [(None, code)], code


def test_an_interviews_label_alone_names_the_speaker_of_the_line_below() -> None:
    assert read("Priya Shah:\nI adopted a greyhound.") == [
        (None, "Priya Shah: "),
        (None, "I adopted a greyhound."),
    ]
    for not_a_turn in ("Returns:\n    int: the count", "Ingredients:\n- flour", "Note:\ncall Ines",
                       "Tom:\nPriya: hi", "Tom:", "Tom:\n", "This is what I said:\nhi",
                       "Background:\nWe moved the importer.", "Steps:\nRun it twice."):  # fmt: skip
        assert read(not_a_turn)[0] == (None, not_a_turn.split("\n")[0]), not_a_turn


def test_a_sender_field_is_a_name_or_none() -> None:
    assert sender_name('"Shah, Priya"') == "Priya Shah" and sender_name("priya") == "Priya"
    for no_name in ("priya: ok", "priya shah", "U024BE7LH: hi", "", "x" * 41):
        assert sender_name(no_name) is None, no_name
    # a short lowercase line after a stamp is that handle's turn, not a name alone
    assert read("[2023-05-08 13:56] priya: ok") == [(MAY8, "Priya: ok")]


@pytest.mark.parametrize(
    "content",
    [
        'Mom said, "come home" and I left.',  # the quote does not end the line
        'He said, "fine."',  # a pronoun is no speaker
        "From Paris to Rome: the trip",  # Zoom's sender only after a time of day
        "From: Paris",  # no address and no header field after it
        "To: all staff",  # no ``From:`` above it
        "Subject to change: the venue",
        "On the way home he wrote:",  # no date
        "On 8 May 2023 we wrote:",  # a pronoun is no sender
        '{"user": "U024BE7LH", "text": "hi"}',  # an id is no name
        '{"a": 1}',  # no sender, no text
        '{"from": "Tom"}',
        "{not json}",
        "1",  # a number not above a cue's timing
        "12:00 --> 13:00 we moved the meeting",
    ],
)
def test_content_shaped_like_a_convention_stays_content(content: str) -> None:
    assert read(content) == [(None, content)]


RENDERINGS = {
    "said": lambda: one_per_turn(
        lambda w, k, who, text: (f"DATE: {locomo_header(w)}\nCONVERSATION:\n" if k == 0 else "") + f'{who} said, "{text}"'
    ),
    "outlook": lambda: one_per_turn(
        lambda w, k, who, text: (
            f"From: {who} <{who.lower()}@example.com>\nSent: {w:%A}, {w:%B} {w.day}, {w.year} {w:%-I}:{w.minute + k:02d} {w:%p}"
            f"\nTo: {'Tom' if who == 'Priya' else 'Priya'}\nSubject: Re: catching up\n\n{text}\n\n-----Original Message-----"
        )
    ),
    "gmail": lambda: one_per_turn(
        lambda w, k, who, text: f"On {w:%a}, {w:%b} {w.day}, {w.year} at {w:%-I}:{w.minute + k:02d} {w:%p} {who} <{who.lower()}@example.com> wrote:\n{text}"
    ),
    "webvtt": lambda: merged_days(
        lambda w: f"{w:%A}, {w.day} {w:%B %Y}",
        lambda w, k, who, text: f"{k + 1}\n00:{k:02d}:00.000 --> 00:{k:02d}:04.000\n<v {who}>{text}</v>\n",
    ),
    "zoom": lambda: merged_days(
        lambda w: f"{w:%A}, {w.day} {w:%B %Y}",
        lambda w, k, who, text: f"{w:%H}:{w.minute + k:02d}:07 From {who} to Everyone:\n\t{text}",
    ),
    "interview": lambda: merged_days(
        lambda w: f"{w.day} {w:%B %Y}", lambda w, k, who, text: f"{who}:\n{text}\n"
    ),
    "jsonl": lambda: one_per_turn(
        lambda w, k, who, text: orjson.dumps({"time": f"{w:%Y-%m-%dT%H}:{w.minute + k:02d}:00Z", "from": who, "text": text}).decode()
    ),
}  # fmt: skip


@pytest.mark.parametrize("rendering", sorted(RENDERINGS))
def test_every_fact_keeps_its_speaker_and_day_and_no_framing_is_content(rendering: str) -> None:
    framing = ("said", "From", "Sent", "Subject", "example.com", "wrote", "-->", "<v", "</v>", "Everyone", "{",
               '"from"', "Original Message")  # fmt: skip
    body = assert_read_as_a_chat(RENDERINGS[rendering](), framing)
    assert not re.search(r"\b(?:user|assistant|Priya Shah):", body)


def test_said_messages_reads_the_conventions_too() -> None:
    assert said_messages([["<v Priya>Hi</v>", "13:56:02 From Tom to Everyone:"]]) == [
        [(None, "Priya: Hi"), (None, "Tom: ")]
    ]
