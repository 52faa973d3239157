"""A line of JSON read as a chat's turn: a JSON-lines log, or an export written a message a line.

- a JSON-lines log's message: ``{"time": "2023-05-08T13:56:00", "from": "Caroline", "text":
  "hi"}`` reads ``Caroline: hi`` on its day (the keys each app uses, below);
- a chat export written one message a line (:mod:`json_export`) reads so too, a comma after
  each message; its lines that are not messages are framing: the opening (``{"name": …,
  "messages":[``), the line between two chats (``]},{"name": …, "messages":[``) and the
  closing ``]}``;
- ChatGPT's export keeps a conversation's messages in a ``mapping`` of nodes; written one a
  line (``"<id>":{"id": …, "message": {"author": {"role": "user"}, "content": {"parts": […]}},
  …},``) a node reads as its author's turn, ``User: …`` or ``Assistant: …``: in that export a
  role is the only name there is. A node with no text (the root, a hidden system message) is
  framing.

A role alone names no sender elsewhere: ``{"role": "user", "content": …}`` is an agent's code
or example far more often than a log.
"""

from __future__ import annotations

import datetime as dt
import re

import orjson

from proxy.compress.dates import parse_date
from proxy.compress.speakers import sender_name

Read = tuple[dt.date | None, str]

# (Slack's export names the sender in ``user_profile``; its ``user`` is an id: ``U024BE7LH``.
# A chat API's ``{"role": "user", "content": …}`` names no one: such lines are code and
# examples in an agent's messages far more often than a pasted log, so a role is no sender)
_NAME_KEYS = (
    "from", "speaker", "author", "sender", "sender_name", "user_profile", "user", "username", "user_name", "name"
)  # fmt: skip
_SENDER_KEYS = ("real_name", "name", "display_name", "username")  # in a sender object
_ID = re.compile(r"[A-Z0-9]{6,}|[0-9a-f-]{16,}|\d+")
_TEXT_KEYS = ("text", "content", "message", "body", "msg", "clean_text")
_TIME_KEYS = ("time", "timestamp", "date", "datetime", "created_at", "sent_at", "date_time")
# seconds (or milliseconds) since 1970: Slack's ``ts``, Telegram's ``date_unixtime``, Messenger's
# ``timestamp_ms``, ChatGPT's ``create_time``
_EPOCH_KEYS = ("ts", "date_unixtime", "timestamp_ms", "timestamp", "time", "date", "create_time")
_EPOCH_RANGE = (946_684_800, 4_102_444_800)  # 2000 to 2100
_CLOSERS = frozenset("]},")
_NODE = re.compile(r'[ \t]*"[^"\n]{1,100}":\{"')  # a node of a ``mapping``, keyed by its id
_ROLES = frozenset(("user", "assistant", "system", "tool"))


def read(line: str) -> Read | None:
    """A line that opens with ``{``, ``[``, ``"``, ``]`` or ``}``: a message, an export's
    framing (``(None, "")``), or None (not JSON this module reads)."""
    text = line.strip()
    head, tail = text[:1], text[-1:]
    if head == "{":
        if tail in "[{" and len(text) > 1:
            return None, ""  # a JSON export's opening, its messages on the lines below
        return read_json_message(line)
    if head == "[":
        return (None, "") if text[1:2] == "{" and tail in "[{" else None  # an export of many chats opened
    if head in "]}":
        # a list closed (``]}``), the next chat opened, a chat's other keys after its list
        return (None, "") if set(text) <= _CLOSERS or tail in "[{" or text[1:3] in (',"', ",{") else None
    if head == '"' and _NODE.match(line):
        return _node(text)
    return None


def _node(text: str) -> Read | None:
    """A ``mapping``'s node on its line (``"<id>":{…},``): its message as its author's turn,
    framing when it says nothing; None when the line is no such node."""
    try:
        obj = orjson.loads("{" + text.removesuffix(",") + "}")
    except orjson.JSONDecodeError:
        return None
    node = next(iter(obj.values()), None) if isinstance(obj, dict) and len(obj) == 1 else None
    if not isinstance(node, dict) or "message" not in node:
        return None
    msg = node["message"]
    if msg is None:
        return None, ""  # the root
    if not isinstance(msg, dict):
        return None
    author = msg.get("author")
    role = author.get("role") if isinstance(author, dict) else None
    said = _text_of(msg.get("content"))
    if role not in _ROLES or not said:
        return None, ""
    name = _name_of(author) or str(role).title()
    return _epoch_day(msg.get("create_time")), f"{name}: {said}"


def read_json_message(line: str) -> Read | None:
    """A JSON-lines log's message: its sender, text and date (a comma after it too: a line of
    :func:`proxy.compress.json_export.one_per_line`)."""
    text = line.strip().removesuffix(",")
    if not text.endswith("}"):
        return None
    try:
        obj = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    return json_message(obj) if isinstance(obj, dict) else None


def json_message(obj: dict[str, object]) -> Read | None:
    """A message object's sender, text and date (see :func:`read_json_message`), or None."""
    keys = {str(k).lower(): v for k, v in obj.items()}
    name = next((n for k in _NAME_KEYS if (n := _name_of(keys.get(k))) is not None), None)
    said = next((s for k in _TEXT_KEYS if (s := _text_of(keys.get(k)))), "")
    if name is None or not said:
        return None
    when = next((v for k in _TIME_KEYS if isinstance(v := keys.get(k), str)), None)
    day = parse_date(when) if when else None
    if day is None:
        day = next((d for k in _EPOCH_KEYS if (d := _epoch_day(keys.get(k))) is not None), None)
    return day, f"{name}: {said}"


def _epoch_day(value: object) -> dt.date | None:
    """The UTC day of a time in seconds or milliseconds since 1970 (a number or its text)."""
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return None
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    seconds = value / 1000 if value > _EPOCH_RANGE[1] else value
    if not _EPOCH_RANGE[0] <= seconds < _EPOCH_RANGE[1]:
        return None
    return dt.datetime.fromtimestamp(seconds, dt.UTC).date()


def _name_of(value: object) -> str | None:
    """A sender's name: a string, or the name in a sender object (``{"name": …}``); an id is none."""
    if isinstance(value, dict):
        value = next((v for k in _SENDER_KEYS if (v := value.get(k))), None)
    if not isinstance(value, str) or not 0 < len(value) <= 40 or _ID.fullmatch(value):
        return None
    return sender_name(value)


def _text_of(value: object) -> str:
    """A message's text: a string, or the strings and ``{"text": …}`` parts of a list (a
    Telegram export writes formatted text so), or the ``parts`` of a content object
    (``{"content_type": "text", "parts": […]}``, as ChatGPT writes a message)."""
    if isinstance(value, dict):
        value = value.get("parts")
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list):
        parts = [p if isinstance(p, str) else p.get("text", "") if isinstance(p, dict) else "" for p in value]
        return "".join(p for p in parts if isinstance(p, str)).strip()
    return ""
