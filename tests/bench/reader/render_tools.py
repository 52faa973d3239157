"""A conversation as other tools write one, measured when asked for by name (``--renderings``).

- ``said``: LoCoMo's own evaluation prompt, ``MERGE`` turns a message: a session opened by
  ``DATE: 1:56 pm on 8 May, 2023`` and ``CONVERSATION:``, a turn ``Caroline said, "text"``,
  a photo it shared on the line after it (`` and shared a photo of a dog.``); ``one-said``: the
  whole conversation so, in the request's only user message;
- ``outlook``: one turn a message, as a mail thread copied from Outlook: ``From: Caroline
  <caroline@example.com>``, ``Sent: Monday, May 8, 2023 1:56 PM``, ``To:``, ``Subject:``, a
  blank line, the text;
- ``gmail``: one turn a message, ``On Mon, May 8, 2023 at 1:56 PM Caroline
  <caroline@example.com> wrote:`` above the text;
- ``zoom``: Zoom's saved meeting chat, ``MERGE`` turns a message: ``13:56:00 From Caroline to
  Everyone:``, the text indented on the next line; the file holds no date, so a day is opened
  by a line with its date (``Monday, 8 May 2023``), as a user pasting several days writes;
- ``webvtt``: a meeting's subtitle file a day, ``MERGE`` cues a message: the day's date on a
  line, ``WEBVTT``, then cues (a number, ``00:56:00.000 --> 00:56:05.000``, ``<v Caroline>text</v>``);
- ``jsonl``: one turn a message as a JSON-lines log: ``{"time": "2023-05-08T13:56:00",
  "from": "Caroline", "text": "…"}``;
- ``bullets``: ``MERGE`` turns a message as a list, ``- Caroline: text``, each day opened by a
  line with its date (``8 May 2023``);
- ``csv``: ``MERGE`` rows a message of a chat exported as CSV: ``2023-05-08 13:56:00,Caroline,"text"``;
- ``line``: LINE's export, ``MERGE`` rows a message: a day line ``Mon, 5/8/2023``, then rows
  ``13:56⇥Caroline⇥text`` (a time of day, the sender and the text, tab-separated);
- ``labels``: ``MERGE`` turns a message as an interview's transcript: the speaker's label alone
  on a line (``Caroline:``), the text on the next, a blank line; each day opened by a line with
  its date;
- ``table``: ``MERGE`` rows a message of a Markdown table, ``| 13:56 | Caroline | text |``,
  each day opened by a row holding only its date (``| 2023-05-08 | | |``);
- ``bracketed``, ``prompt``, ``dash``: ``MERGE`` turns a message, each day opened by a line
  with its date, a turn ``[Caroline] text``, ``Caroline> text``, ``Caroline — text``;
- ``screenplay``: ``MERGE`` turns a message, the speaker's name in capitals alone on a line
  (``CAROLINE``), the text on the next, a blank line; each day opened by a line with its date;
- ``json-export``: the whole conversation as Telegram exports it (an indented JSON document:
  ``{"name": …, "messages": [{"id": 1, "type": "message", "date": "2023-05-08T13:56:00",
  "from": "Caroline", "text": "…"}, …]}``), then the question, in the request's only message;
- ``json-compact``: the same document written compact, on one line (as ``json.dumps`` writes
  it with no indent).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Collection
from typing import Any

import orjson

from tests.bench.reader.dialogue import Dialogue, Turn
from tests.bench.reader.render_base import (
    FINAL_QUESTION,
    MERGE,
    alternating,
    frame,
    h12,
    kept_turns,
    locomo_header,
    per_turn,
    system_prompt,
)

Lines = Callable[[Dialogue, Turn, bool, int], list[str]]  # a turn's lines (opens its session; its place)


def _merged(d: Dialogue, model: str, keep: Collection[str] | None, lines: Lines) -> dict[str, Any]:
    kept = kept_turns(d, keep)
    chunks = [
        [line for i, (t, opens) in enumerate(kept[k : k + MERGE], k) for line in lines(d, t, opens, i)]
        for k in range(0, len(kept), MERGE)
    ]
    return frame(d, model, alternating(chunks))


def _said_lines(d: Dialogue, t: Turn, opens: bool, i: int) -> list[str]:
    head = [f"DATE: {locomo_header(d.sessions[t.session - 1])}", "CONVERSATION:"] if opens else []
    return [*head, f'{t.speaker} said, "{t.text}"', *([f" and shared {t.caption}."] if t.caption else [])]


def said(d: Dialogue, model: str, keep: Collection[str] | None = None) -> dict[str, Any]:
    return _merged(d, model, keep, _said_lines)


def one_said(d: Dialogue, model: str, keep: Collection[str] | None = None) -> dict[str, Any]:
    chat = "\n".join(line for t, opens in kept_turns(d, keep) for line in _said_lines(d, t, opens, 0))
    system = {"role": "system", "content": system_prompt(d)}
    return {"model": model, "messages": [system, {"role": "user", "content": f"{chat}\n\n{FINAL_QUESTION}"}]}


def _address(name: str) -> str:
    return f"{name} <{name.lower().replace(' ', '.')}@example.com>"


def outlook(d: Dialogue, model: str, keep: Collection[str] | None = None) -> dict[str, Any]:
    def mail(t: Turn) -> str:
        to = d.speakers[1] if t.speaker == d.speakers[0] else d.speakers[0]
        w = t.when
        return (
            f"From: {_address(t.speaker)}\nSent: {w:%A}, {w:%B} {w.day}, {w.year} {h12(w)}\n"
            f"To: {_address(to)}\nSubject: Re: catching up\n\n{t.text}"
        )

    return per_turn(d, model, keep, mail)


def gmail(d: Dialogue, model: str, keep: Collection[str] | None = None) -> dict[str, Any]:
    return per_turn(
        d, model, keep, lambda t: f"On {t.when:%a}, {t.when:%b} {t.when.day}, {t.when.year} at {h12(t.when)} {_address(t.speaker)} wrote:\n{t.text}"
    )  # fmt: skip


def _day_lines(
    head: Callable[[Turn], list[str]], line: Callable[[Turn, int], list[str]]
) -> Callable[..., dict[str, Any]]:
    """A rendering that opens each day with ``head`` lines, then writes each turn's ``line``s."""

    def render(d: Dialogue, model: str, keep: Collection[str] | None = None) -> dict[str, Any]:
        kept = kept_turns(d, keep)
        days = [t.when.date() for t, _ in kept]

        def lines(d: Dialogue, t: Turn, opens: bool, i: int) -> list[str]:
            return [*(head(t) if i == 0 or days[i - 1] != days[i] else []), *line(t, i)]

        return _merged(d, model, keep, lines)

    return render


zoom = _day_lines(
    lambda t: [f"{t.when:%A}, {t.when.day} {t.when:%B %Y}"],
    lambda t, i: [f"{t.when:%H:%M:%S} From {t.speaker} to Everyone:", f"\t{t.text}"],
)
webvtt = _day_lines(
    lambda t: [f"{t.when.day} {t.when:%B %Y}", "WEBVTT", ""],
    lambda t, i: [
        str(i + 1),
        f"00:{t.when:%M}:00.000 --> 00:{t.when:%M}:05.000",
        f"<v {t.speaker}>{t.text}</v>",
        "",
    ],
)


bullets = _day_lines(lambda t: [f"{t.when.day} {t.when:%B %Y}"], lambda t, i: [f"- {t.speaker}: {t.text}"])
line = _day_lines(
    lambda t: [f"{t.when:%a}, {t.when.month}/{t.when.day}/{t.when.year}"],
    lambda t, i: [f"{t.when:%H:%M}\t{t.speaker}\t{t.text}"],
)
labels = _day_lines(lambda t: [f"{t.when.day} {t.when:%B %Y}"], lambda t, i: [f"{t.speaker}:", t.text, ""])
bracketed = _day_lines(lambda t: [f"{t.when.day} {t.when:%B %Y}"], lambda t, i: [f"[{t.speaker}] {t.text}"])
prompt = _day_lines(lambda t: [f"{t.when.day} {t.when:%B %Y}"], lambda t, i: [f"{t.speaker}> {t.text}"])
dash = _day_lines(lambda t: [f"{t.when.day} {t.when:%B %Y}"], lambda t, i: [f"{t.speaker} — {t.text}"])
screenplay = _day_lines(
    lambda t: [f"{t.when.day} {t.when:%B %Y}", ""], lambda t, i: [t.speaker.upper(), t.text, ""]
)
table = _day_lines(
    lambda t: [f"| {t.when:%Y-%m-%d} | | |"], lambda t, i: [f"| {t.when:%H:%M} | {t.speaker} | {t.text} |"]
)


def csv(d: Dialogue, model: str, keep: Collection[str] | None = None) -> dict[str, Any]:
    def row(d: Dialogue, t: Turn, opens: bool, i: int) -> list[str]:
        quoted = t.text.replace('"', '""')
        return [f'{t.when:%Y-%m-%d %H:%M:%S},{t.speaker},"{quoted}"']

    return _merged(d, model, keep, row)


def jsonl(d: Dialogue, model: str, keep: Collection[str] | None = None) -> dict[str, Any]:
    def line(t: Turn) -> str:
        return orjson.dumps(
            {"time": f"{t.when:%Y-%m-%dT%H:%M:%S}", "from": t.speaker, "text": t.text}
        ).decode()

    return per_turn(d, model, keep, line)


def json_export(
    d: Dialogue, model: str, keep: Collection[str] | None = None, indent: int | None = 1
) -> dict[str, Any]:
    """The chat as Telegram exports it (an indented JSON document), pasted with a question;
    ``indent=None``: the same document on one line."""
    messages = [
        {"id": i + 1, "type": "message", "date": f"{t.when:%Y-%m-%dT%H:%M:%S}", "from": t.speaker,
         "from_id": f"user{100 + d.speakers.index(t.speaker)}", "text": t.text}
        for i, (t, _) in enumerate(kept_turns(d, keep))
    ]  # fmt: skip
    doc = json.dumps(
        {"name": d.speakers[1], "type": "personal_chat", "messages": messages},
        indent=indent,
        ensure_ascii=False,
    )
    system = {"role": "system", "content": system_prompt(d)}
    return {"model": model, "messages": [system, {"role": "user", "content": f"{doc}\n\n{FINAL_QUESTION}"}]}


TOOLS: dict[str, Callable[..., dict[str, Any]]] = {
    "bracketed": bracketed,
    "prompt": prompt,
    "dash": dash,
    "screenplay": screenplay,
    "json-export": json_export,
    "json-compact": functools.partial(json_export, indent=None),
    "said": said,
    "one-said": one_said,
    "outlook": outlook,
    "gmail": gmail,
    "zoom": zoom,
    "webvtt": webvtt,
    "jsonl": jsonl,
    "bullets": bullets,
    "csv": csv,
    "table": table,
    "labels": labels,
    "line": line,
}
BY_TURNS = frozenset(("one-said", "json-export", "json-compact"))
