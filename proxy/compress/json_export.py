"""A chat exported as a JSON document, written one message a line.

A chat app's export (Telegram's ``result.json``, a list of ``{"from", "date", "text"}``
objects) pasted into a message is one JSON document: indented over many lines, a message's
sender, date and text sit on lines of their own among ids and brackets; written compact (as
``json.dumps`` and ``JSON.stringify`` write it), the whole chat is one line. Either way no
line reads as a turn.
:func:`one_per_line` writes the same document with each message of its lists of messages
(one list, or one a chat in an export of many: Telegram's whole account, a list of
conversations) compact on a line of its own (``{"from": "Caroline", …},``), oldest first (an
export that lists the newest first, as Messenger's does, is turned around): the same JSON
but for that order, shorter, and each line reads as that sender's turn on its day
(:func:`proxy.compress.transcripts.read_line`). Text around the document (a question after
it) stays as it is.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

import orjson

from proxy.compress.json_lines import json_message

MIN_MESSAGES = 3  # a list of fewer messages is no chat export
_MARK = "\x00ctxproxy-messages\x00"
_DEPTH = 4  # how deep in the document its lists of messages are searched for
_SCAN = 1000  # items of a list that is not a chat's messages looked into for one
MAX_CHATS = 1000  # lists of messages written a message a line, at most
_VISITS = 20_000  # lists and objects of a document looked into for them, at most
# a line opening a compact document: a list of objects, or an object
_COMPACT = re.compile(r'^[ \t]*(?:\[\{|\{")', re.MULTILINE)
# such lines tried, in order (a JSON-lines log opens every line so)
_COMPACT_TRIES = 4
_TIME_KEYS = (
    "timestamp_ms", "date_unixtime", "ts", "timestamp", "date", "time", "created_at", "sent_at", "date_time",
    "create_time",
)  # fmt: skip


def one_per_line(text: str) -> str:
    """``text`` with the chat export it holds written one message a line; else ``text``."""
    span = _document(text)
    if span is not None:
        return _rewritten(text, *span)
    if '{"' not in text:  # (cheap: most texts hold no JSON)
        return text
    for n, found in enumerate(_COMPACT.finditer(text)):
        if n == _COMPACT_TRIES:
            break
        start = found.start() + len(found.group()) - len(found.group().lstrip())
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        while end > start and text[end - 1] in " \t\r":
            end -= 1
        if text[end - 1] in "]}" and text.count("{", start, end) >= MIN_MESSAGES:
            out = _rewritten(text, start, end)
            if out is not text:
                return out
    return text


def _rewritten(text: str, start: int, end: int) -> str:
    """``text`` with the JSON document at ``text[start:end]`` written one message a line, or
    ``text`` itself (the very object) when it holds no chat's messages."""
    try:
        doc = orjson.loads(text[start:end])
    except orjson.JSONDecodeError:
        return text
    chats = list(itertools.islice(_chats(doc, _DEPTH, [_VISITS]), MAX_CHATS))
    if not chats:
        return text
    mark = orjson.dumps(_MARK).decode()
    try:
        shell = orjson.dumps(_replaced(doc, {id(chat) for chat in chats})).decode().split(mark)
        written = [_written(chat) for chat in chats]
    except orjson.JSONEncodeError:  # nested deeper than orjson writes: left as it is
        return text
    if len(shell) != len(chats) + 1:  # (a text of the document holds the mark itself)
        return text
    return (
        text[:start]
        + shell[0]
        + "".join(w + after for w, after in zip(written, shell[1:], strict=True))
        + text[end:]
    )


Chat = list[object] | dict[str, object]  # a list of messages, or ChatGPT's ``mapping`` of nodes


def _written(chat: Chat) -> str:
    """A chat's list one message a line (``[``, the messages, ``]``), or its node map one node
    a line (``{``, ``"<id>":{…}`` oldest first, ``}``)."""
    if isinstance(chat, list):
        return "[\n" + ",\n".join(orjson.dumps(item).decode() for item in _oldest_first(chat)) + "\n]"
    nodes = sorted(chat.items(), key=lambda kv: _created(kv[1]))
    return (
        "{\n" + ",\n".join(f"{orjson.dumps(k).decode()}:{orjson.dumps(v).decode()}" for k, v in nodes) + "\n}"
    )


def _created(node: object) -> float:
    """A node's message's time (``create_time``); the root and timeless messages first."""
    msg = node.get("message") if isinstance(node, dict) else None
    when = msg.get("create_time") if isinstance(msg, dict) else None
    return float(when) if isinstance(when, int | float) and not isinstance(when, bool) else float("-inf")


def _oldest_first(items: list[object]) -> list[object]:
    """``items`` oldest first: reversed when their times run newest first (Messenger's export)."""
    times = [_time(item) for item in items]
    known = [t for t in times if t is not None]
    if len(known) < 2 or len(known) < len(times) or len({t[0] for t in known}) > 1:
        return items  # (times missing, or written two ways)
    if known[0] > known[-1] and all(a >= b for a, b in itertools.pairwise(known)):
        return items[::-1]
    return items


def _time(item: object) -> tuple[int, float, str] | None:
    """A message's time as written, to compare: a number, or a text (ISO texts compare in order)."""
    if not isinstance(item, dict):
        return None
    for key in _TIME_KEYS:
        value = item.get(key)
        if isinstance(value, str):
            return (1, 0.0, value)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return (0, float(value), "")
    return None


def _document(text: str) -> tuple[int, int] | None:
    """Where an indented JSON document starts and ends in ``text``: from a line that is only
    ``{`` or ``[`` to the last line that is only ``}`` or ``]``."""
    if text[:2] in ("{\n", "[\n"):
        start = 0
    else:
        at = [i for i in (text.find("\n{\n"), text.find("\n[\n")) if i >= 0]
        if not at:
            return None
        start = min(at) + 1
    closer = "}" if text[start] == "{" else "]"
    end = text.rfind(f"\n{closer}")
    if end < start:
        return None
    end += 2
    if end < len(text) and text[end] not in "\n \t\r":
        return None
    return start, end


def _chats(node: object, depth: int, left: list[int]) -> Iterator[Chat]:
    """The lists of a chat's messages (and ChatGPT's maps of nodes) in ``node``, in the
    document's order, ``depth`` levels down at most: a chat is not looked into; another list
    of objects is, its first ``_SCAN`` items (an export of many chats: Telegram's whole
    account, a list of conversations); ``left[0]`` lists and objects at most are looked into."""
    if left[0] <= 0:
        return
    left[0] -= 1
    if isinstance(node, list):
        if not node or not all(isinstance(item, dict) for item in node[:MIN_MESSAGES]):
            return  # (a list of numbers or of lists holds no chat: a matrix is not searched)
        if _messages(node):
            yield node
        elif depth > 0:
            for item in node[:_SCAN]:
                yield from _chats(item, depth - 1, left)
    elif isinstance(node, dict) and depth > 0:
        if _node_map(node):
            yield node
            return
        for value in node.values():
            if isinstance(value, list | dict):
                yield from _chats(value, depth - 1, left)


def _node_map(node: dict[str, object]) -> bool:
    """Whether ``node`` is ChatGPT's ``mapping``: most of its first values are nodes, each
    with a ``message`` and a ``parent`` or its ``children``."""
    if len(node) < MIN_MESSAGES:
        return False
    head = list(itertools.islice(node.values(), 4 * MIN_MESSAGES))
    nodes = sum(
        1 for v in head if isinstance(v, dict) and "message" in v and ("parent" in v or "children" in v)
    )
    return nodes * 2 > len(head)


def _messages(items: list[object]) -> bool:
    """Whether ``items`` are a chat's messages: most of the first ones name a sender and a text."""
    head = items[: 4 * MIN_MESSAGES]
    if len(items) < MIN_MESSAGES:
        return False
    read = sum(1 for item in head if isinstance(item, dict) and json_message(item) is not None)
    return read * 2 > len(head)


def _replaced(node: object, targets: set[int], depth: int = _DEPTH + 1) -> object:
    """``node`` with each list whose ``id`` is in ``targets`` (``depth`` levels down at most)
    replaced by a mark."""
    if id(node) in targets:
        return _MARK
    if depth <= 0:
        return node
    if isinstance(node, dict):
        return {k: _replaced(v, targets, depth - 1) for k, v in node.items()}
    if isinstance(node, list):
        return [_replaced(v, targets, depth - 1) for v in node]
    return node
