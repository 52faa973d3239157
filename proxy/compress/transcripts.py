"""How transcripts, mail threads, subtitles and JSON logs say who speaks, read as ``Name: text``.

A conversation pasted or exported from another tool names its speakers that tool's way.
:func:`read_line` gives such a line back the way the digest reads every chat, ``Name: text``,
with the date it carries; a line that is only the tool's framing reads as nothing:

- a prose transcript's ``Caroline said, "text"`` (and ``… and shared a photo of a cat.``
  after the quote, which stays);
- a subtitle file (WebVTT, SRT): a voice tag ``<v Caroline>text</v>`` names the speaker; a
  cue's timing line (``00:01:02.000 --> 00:01:05.000``), the cue number above it and the
  ``WEBVTT`` line are framing;
- a mail thread: ``From: Caroline Smith <caroline@example.com>`` opens Caroline's message,
  the ``Sent:`` or ``Date:`` line of its header is the message's stamp, and the header's
  ``To:``, ``Cc:`` and ``Subject:`` lines are framing; a quoted reply's ``On Mon, May 8, 2023
  at 1:56 PM Caroline <caroline@example.com> wrote:`` is both the stamp and the speaker;
- a JSON-lines log, and a chat export written one message a line (:mod:`json_export`): read
  by :mod:`json_lines`.

An interview's label alone on a line (``Interviewer:``), the turn's text on the line below,
reads ``Interviewer: ``. A list item, a CSV or TSV row and a table row are read by
:mod:`list_rows`; Zoom's saved chat
(``13:56:02 From Caroline to Everyone:``) after its time of day
(:func:`proxy.compress.speakers.after_stamp`). Each rule looks at a line's first characters
before any pattern runs: most lines cost a few string tests.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from proxy.compress import json_lines, list_rows
from proxy.compress.dates import is_stamp_word, parse_date
from proxy.compress.speakers import NAME, PARTICLES, name_only, sender_name, speaker_prefix

Read = tuple[dt.date | None, str]

_VERBS = "said|says|asked|asks|replied|replies|wrote|writes"
_SAID = re.compile(
    rf"[ \t]*({NAME}) (?:{_VERBS})[,:]?[ \t]*[\"“](.*)[\"”]"
    r"((?:,? and (?:shared|sent|showed|posted) [^\"“”\n]*)?)[ \t]*"
)
_SAID_VERB = re.compile(rf" (?:{_VERBS})\b")
# a story's ``He said, "…"`` is no transcript's speaker
_PRONOUNS = frozenset(
    "i he she it we you they someone somebody everyone everybody nobody one who this that".split()
)
_VOICE = re.compile(r"[ \t]*<v(?:\.[\w-]+)*[ \t]+([^<>\n]{1,60})>[ \t]*")
_CUE_TAGS = re.compile(r"</?(?:v|c|i|b|u|lang|ruby|rt)(?:[.\s][^<>\n]*)?>")
_CUE_TIMING = re.compile(
    r"[ \t]*(?:\d{1,2}:)?\d{2}:\d{2}[.,]\d{3}[ \t]+-->[ \t]+(?:\d{1,2}:)?\d{2}:\d{2}[.,]\d{3}(?:[ \t].*)?"
)
_ADDRESS = re.compile(r"<[^<>\s]+@[^<>\s]+>|\[mailto:[^\]\s]+\]|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_MAIL_FIELDS = frozenset("to cc bcc subject sent date reply-to importance attachments".split())
_MAIL_DATED = frozenset(("sent", "date"))
_MAX_FIELD = 300  # a longer ``From: …`` or ``To: …`` line is a sentence, not a header field
_HEADER_LINES = 8  # a mail header's lines are read back this far to its ``From:``
_WROTE = re.compile(r"[ \t]*On[ \t]+(.{6,100}?)[ \t]*wrote:[ \t]*")
_LIST_MARKS = frozenset("-*•+‣◦>")
_JSON_HEADS = frozenset('{["]}')  # (a JSON export's lines: :mod:`json_lines`)
_ORIGINAL = re.compile(r"[ \t]*-{2,}[ \t]*(?:Original Message|Forwarded message)[ \t]*-{2,}[ \t]*", re.I)


def read_line(lines: Sequence[str], i: int) -> Read | None:
    """Line ``i`` of ``lines`` read by the conventions above (the lines around it tell a
    mail header or a cue number from content), or None when none applies."""
    line = lines[i]
    head = line[:1]
    if head in (" ", "\t"):
        head = line.lstrip(" \t")[:1]
    if head in _JSON_HEADS:
        return json_lines.read(line)
    if head == "<":
        return _voice(line)
    if head.isdigit():
        if "-->" in line and _CUE_TIMING.fullmatch(line):
            return None, ""
        if line.strip().isdigit() and i + 1 < len(lines) and _CUE_TIMING.fullmatch(lines[i + 1]):
            return None, ""  # an SRT cue's number
        if "\t" in line or "," in line or ";" in line:
            return list_rows.delimited_row(line) or list_rows.list_item(line)
        return list_rows.list_item(line)
    if head == "-" and _ORIGINAL.fullmatch(line):
        return None, ""
    if head in _LIST_MARKS:
        return list_rows.list_item(line)
    if head == "|":
        return list_rows.table_row(line)
    if not head.isalpha():
        return None
    if line.startswith("WEBVTT") and (len(line) == 6 or line[6] in " \t"):
        return None, ""
    if ("," in line or "\t" in line) and list_rows.csv_header(
        line, lines[i + 1] if i + 1 < len(lines) else None
    ):
        return None, ""
    if (colon := line.find(":", 0, 24)) > 0 and (read := _mail(lines, i, colon)) is not None:
        return read
    if line[-1:] == ":" and (label := _label_alone(lines, i)) is not None:
        return None, label
    if "wrote:" in line[-12:]:
        return _wrote(line)
    if ('"' in line or "“" in line) and _SAID_VERB.search(line, 0, 60):
        return _said(line)
    return None


def _label_alone(lines: Sequence[str], i: int) -> str | None:
    """``Caroline: `` for a line that is only a speaker's label, the turn's text on the line
    below it (an interview's ``Interviewer:`` above each question); a label above an indented
    line, a list or another label (``Returns:`` in a docstring, ``Ingredients:``) is none."""
    below = lines[i + 1] if i + 1 < len(lines) else ""
    head = below[:1]
    if not head or head in " \t" or head in _LIST_MARKS or speaker_prefix(below) is not None:
        return None
    named = name_only(lines[i].rstrip())
    return named if named != lines[i].rstrip() else None


def _said(line: str) -> Read | None:
    m = _SAID.fullmatch(line)
    if m is None or m.group(1).lower() in _PRONOUNS or speaker_prefix(f"{m.group(1)}: .") is None:
        return None
    return None, f"{m.group(1)}: {m.group(2).strip()}{m.group(3)}"


def _voice(line: str) -> Read | None:
    m = _VOICE.match(line)
    if m is None:
        return None
    text = _CUE_TAGS.sub("", line[m.end() :]).strip()
    name = sender_name(m.group(1))
    return None, f"{name}: {text}" if name else text


def _mail(lines: Sequence[str], i: int, colon: int) -> Read | None:
    line = lines[i]
    key = line[:colon].strip(" \t*").lower()
    if key != "from" and key not in _MAIL_FIELDS:
        return None
    value = line[colon + 1 :].rstrip()
    if not value.startswith((" ", "\t")) or len(value) > _MAX_FIELD:
        return None
    if key == "from":
        if not _ADDRESS.search(value) and not _next_is_field(lines, i):
            return None
        raw = _ADDRESS.sub(" ", value).strip(" *")
        if not raw and (found := _ADDRESS.search(value)) is not None:
            # ``From: caroline.smith@example.com``: the address's name, ``Caroline Smith``
            local = found.group(0).strip("<>[]").removeprefix("mailto:").split("@")[0]
            raw = " ".join(w.capitalize() for w in re.split(r"[._]", local) if w)
        name = sender_name(raw)
        return (None, f"{name}: ") if name else None
    if not _in_header(lines, i):
        return None
    return (parse_date(value) if key in _MAIL_DATED else None), ""


def _next_is_field(lines: Sequence[str], i: int) -> bool:
    """Whether the line after ``i`` is a mail header's field (``Sent: …``)."""
    if i + 1 >= len(lines):
        return False
    field, colon, _ = lines[i + 1].strip().partition(":")
    return bool(colon) and field.strip("*").lower() in _MAIL_FIELDS


def _in_header(lines: Sequence[str], i: int) -> bool:
    """Whether line ``i`` is in a mail header: a ``From:`` above it, header fields between."""
    for j in range(i - 1, max(-1, i - 1 - _HEADER_LINES), -1):
        field, colon, _ = lines[j].strip().partition(":")
        key = field.strip("*").lower()
        if not colon:
            return False
        if key == "from":
            return True
        if key not in _MAIL_FIELDS:
            return False
    return False


def _wrote(line: str) -> Read | None:
    """``On <stamp>, <name> <address> wrote:``: the stamp's date and ``Name: ``."""
    m = _WROTE.fullmatch(line)
    if m is None:
        return None
    words = _ADDRESS.sub(" ", m.group(1)).replace('"', " ").split()
    k = 0
    while k < min(4, len(words) - 1) and (
        not is_stamp_word(word := words[-1 - k])
        or (k and word.lower() in PARTICLES and not is_stamp_word(words[-2 - k]))
    ):  # a name: up to four words, ``Tim De Rossi`` (though ``de`` joins a date's parts too)
        k += 1
    if k == 0:
        return None
    written = " ".join(words[-k:]).strip(",")
    name = None if written.lower() in _PRONOUNS else sender_name(written)  # ``On 8 May 2023 we wrote:``
    if name is None:
        return None
    day = parse_date(" ".join(words[:-k]).rstrip(","))
    return (day, f"{name}: ") if day else None
