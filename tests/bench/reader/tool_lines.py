"""What a reader takes from the lines other tools write (:mod:`render_tools`): a speaker, a
date, or nothing (framing). Written for those renderings, apart from the proxy's parser.

- ``Caroline said, "text"`` reads as ``Caroline: text``; ``DATE: …`` as a date line;
  ``CONVERSATION:`` is framing;
- a mail's ``From: Caroline <…>`` names the speaker of the text below it, its ``Sent:`` line is
  a date line, ``To:`` and ``Subject:`` are framing; ``On <date> Caroline <…> wrote:`` gives both;
- Zoom's ``13:56:00 From Caroline to Everyone:`` names the speaker of the text below it;
- a subtitle's ``<v Caroline>text</v>`` reads as ``Caroline: text``; ``WEBVTT``, a cue's number
  and its timing line are framing;
- a JSON-lines message reads as ``<time> Caroline: text``;
- a list item ``- Caroline: text`` as ``Caroline: text``; a CSV row
  ``2023-05-08 13:56:00,Caroline,"text"`` as ``2023-05-08 13:56:00 Caroline: text``; a table row
  ``| 13:56 | Caroline | text |`` as ``Caroline: text``, and ``| 2023-05-08 | | |`` as a date line;
- a label alone, ``Caroline:``, names the speaker of the text below it;
- a LINE row ``13:56⇥Caroline⇥text`` reads as ``Caroline: text``;
- ``[Caroline] text``, ``Caroline> text`` and ``Caroline — text`` read as ``Caroline: text``;
  a name in capitals alone (``CAROLINE``) names the speaker of the text below it;
- a message of a JSON export (``{"date": …, "from": "Caroline", "text": …},``) as
  ``<date> Caroline: text``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from tests.bench.reader.dates import Day, leading_date


@dataclass(frozen=True, slots=True)
class ToolLine:
    line: str | None = None  # the line to read instead (``None``: nothing to read)
    head: str | None = None  # the speaker of the text on the lines below
    day: Day | None = None  # the date the line sets


SKIP = ToolLine()
_NAME = r"[^\W\d_][\w'.-]*(?: [^\W\d_][\w'.-]*){0,3}"  # a speaker's name: one to four words (particles)
_SAID = re.compile(rf'^({_NAME}) said, "(.*)"$')
_FROM = re.compile(r"^From: ([^<>]+?) <[^<>]+>$")
_WROTE = re.compile(rf"^On (.+? [AP]M) ({_NAME}) <[^<>]+> wrote:$")
_ZOOM = re.compile(r"^\d{1,2}:\d{2}:\d{2} From (.+?) to Everyone:$")
_VOICE = re.compile(r"^<v ([^<>]+)>(.*?)(?:</v>)?$")
_ITEM = re.compile(rf"^- ({_NAME}: .*)$")
_CSV = re.compile(r'^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}),([^,"]+),"(.*)"$')
_TABLE = re.compile(r"^\| \d{2}:\d{2} \| ([^|]+?) \| (.*) \|$")
_TABLE_DAY = re.compile(r"^\| (\d{4}-\d{2}-\d{2}) \| \| \|$")
_LABEL = re.compile(rf"^({_NAME}):$")
_LINE_ROW = re.compile(r"^\d{2}:\d{2}\t([^\t]+)\t(.*)$")
_TIMING = re.compile(r"^\d{2}:\d{2}:\d{2}\.\d{3} --> ")
_MARKED = re.compile(rf"^(?:\[({_NAME})\] |({_NAME})> |({_NAME}) — (?!\d))(.*)$")
_CAPS = re.compile(r"^([A-Z][A-Z'.-]*(?: [A-Z][A-Z'.-]*){0,2})$")


def tool_line(line: str) -> ToolLine | None:
    """What ``line`` gives a reader, when it is one of those tools' lines; else ``None``."""
    text = line.strip()
    if m := _SAID.match(text):
        return ToolLine(f"{m.group(1)}: {m.group(2)}")
    if text in ("CONVERSATION:", "WEBVTT") or text.isdigit() or _TIMING.match(text):
        return SKIP
    if text.startswith(("DATE: ", "Sent: ")):
        found = leading_date(text[6:])
        return ToolLine(day=found[0]) if found else None
    if text.startswith(("To: ", "Subject: ")):
        return SKIP
    if m := _FROM.match(text):
        return ToolLine(head=m.group(1))
    if m := _WROTE.match(text):
        found = leading_date(m.group(1))
        return ToolLine(head=m.group(2), day=found[0] if found else None)
    if text != "CONVERSATION:" and (m := _LABEL.match(text)):
        return ToolLine(head=m.group(1))
    if m := _ZOOM.match(text):
        return ToolLine(head=m.group(1))
    if m := _MARKED.match(text):
        return ToolLine(f"{m.group(1) or m.group(2) or m.group(3)}: {m.group(4)}")
    if m := _CAPS.match(text):
        return ToolLine(head=m.group(1).title())
    if m := _VOICE.match(text):
        return ToolLine(f"{m.group(1)}: {m.group(2)}")
    if m := _LINE_ROW.match(line.strip(" ")):
        return ToolLine(f"{m.group(1)}: {m.group(2)}")
    if m := _ITEM.match(text):
        return ToolLine(m.group(1))
    if m := _CSV.match(text):
        return ToolLine(f"{m.group(1)} {m.group(2)}: {m.group(3).replace(chr(34) * 2, chr(34))}")
    if m := _TABLE.match(text):
        return ToolLine(f"{m.group(1)}: {m.group(2)}")
    if m := _TABLE_DAY.match(text):
        found = leading_date(m.group(1))
        return ToolLine(day=found[0]) if found else SKIP
    if text.startswith("{") and text.removesuffix(",").endswith("}"):  # a message of a JSON log or export
        try:
            msg = json.loads(text.removesuffix(","))
        except ValueError:
            return None
        if isinstance(msg, dict) and {"from", "text"} <= msg.keys() and isinstance(msg["text"], str):
            return ToolLine(
                f"{msg.get('time') or msg.get('date') or ''} {msg['from']}: {msg['text']}".strip()
            )
    return None


def export_lines(text: str) -> str:
    """``text`` with a JSON export it opens with (``{"messages": […]}``, indented as
    ``json-export`` writes it or on one line as ``json-compact`` does) read as its messages,
    one a line; else ``text``."""
    if text.startswith("{\n"):
        end = text.find("\n}") + 2
    elif text.startswith('{"'):
        end = text.find("\n") if "\n" in text else len(text)
    else:
        return text
    try:
        doc = json.loads(text[:end])
    except ValueError:
        return text
    if not isinstance(doc, dict) or not isinstance(doc.get("messages"), list):
        return text
    return "\n".join(json.dumps(m, ensure_ascii=False) for m in doc["messages"]) + text[end:]
