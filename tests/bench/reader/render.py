"""A dialogue as the Chat Completions request a chat client would send, in the renderings below.

- ``merged``: consecutive turns merged into messages (``MERGE`` turns each) of ``Name: text``
  lines; the first turn of a session carries LoCoMo's header at the start of its line:
  ``1:56 pm on 8 May, 2023 Caroline: text`` — often a later line of a message; ``merged-lines``:
  the same with the header on a line of its own before the turn; ``merged-long``: as ``merged``
  with ``MERGE_LONG`` turns a message (a client that merges every run of turns: a message spans
  sessions);
- ``stamped``: one message a turn, ``[2023-05-08 13:56] Caroline: text``;
- ``named``: one message a turn, the speaker in the OpenAI ``name`` field, a session opened by
  the line ``Session 3 · Friday, 9 June 2023``;
- ``chatlog``: one message a turn, as a chat export: ``29.12.2023, 22:42:04 - Caroline: text``;
- asked for by name: ``one-message``, the whole conversation pasted into the request's only
  user message, lines as in ``merged-lines``, the question after a blank line;
  ``named-system`` / ``named-user``, ``named`` with each session line a ``system`` / ``user``
  message of its own; ``merged-sessions``, a message a session; ``merged-N``, ``merged`` with
  ``N`` turns a message (``merged-12``); as chat apps copy and log: ``telegram``, one message a
  turn, ``Caroline, [08.05.23 13:56]`` on the line before the text; ``one-telegram``, the
  whole conversation so in the only user message; ``irc``, merged ``[13:56] <Caroline> text``
  lines with ``--- Day changed Mon May 08 2023`` opening a day; ``irc-handles``, the same with
  lowercase nicks (``<caroline>``); ``whatsapp``, a US phone's export, one message a turn
  ``5/8/23, 1:56 PM - Caroline: text``, with the app's own lines (``<Media omitted>``, ``Missed
  voice call``) before every seventh turn; ``discord-export``, one turn a message as
  DiscordChatExporter writes it (``[5/8/2023 1:56 PM] caroline``, the text below); ``imessage``,
  as an iMessage export does (``May 08, 2023  1:56:00 PM``, the name on the next line, then the text);
  as other tools write a conversation (a transcript's ``Caroline said, "…"``, a mail thread,
  Zoom's chat, a subtitle file, a JSON-lines log): :mod:`render_tools`.

Roles alternate as in a memory chat (merged: message by message; otherwise the first speaker
is ``user``, the second ``assistant``); the system prompt comes first and a user question last.
``keep`` renders only those turns (the whole-turn extraction baseline), dates still in place.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection
from typing import Any

from tests.bench.reader import render_tools
from tests.bench.reader.dialogue import Dialogue, Turn
from tests.bench.reader.render_base import (
    FINAL_QUESTION,
    MERGE,
    chatlog_stamp,
    frame,
    h12,
    kept_turns,
    locomo_header,
    name_field,
    per_turn,
    role_of,
    session_line,
    stamp,
    system_prompt,
)

MERGE_LONG = 40
RENDERINGS = ("merged", "stamped", "named", "chatlog", "merged-lines", "merged-long")
EXTRA_RENDERINGS: tuple[str, ...] = (
    "one-message",
    "named-system",
    "named-user",
    "merged-sessions",
    "telegram",
    "irc",
    "one-telegram",
    "irc-handles",
    "whatsapp",
    "discord-export",
    "imessage",
)  # measured when asked for (--renderings)
EXTRA_RENDERINGS += tuple(render_tools.TOOLS)  # as other tools write a conversation
# keep-last and middle-out keep turns, not messages (one message holds the whole conversation)
BY_TURNS = frozenset(("one-message", "named-system", "named-user", "merged-sessions", "one-telegram"))
BY_TURNS |= render_tools.BY_TURNS


def merged(
    d: Dialogue, model: str, keep: Collection[str] | None = None, per: int = MERGE, own_line: bool = False
) -> dict[str, Any]:
    kept = kept_turns(d, keep)
    messages: list[dict[str, Any]] = []
    for k in range(0, len(kept), per):
        lines: list[str] = []
        for t, opens in kept[k : k + per]:
            line = f"{t.speaker}: {t.text}"
            if opens and own_line:
                lines.append(locomo_header(d.sessions[t.session - 1]))
            elif opens:
                line = f"{locomo_header(d.sessions[t.session - 1])} {line}"
            lines.append(line)
        role = "user" if (k // per) % 2 == 0 else "assistant"
        messages.append({"role": role, "content": "\n".join(lines)})
    return frame(d, model, messages)


def stamped(d: Dialogue, model: str, keep: Collection[str] | None = None) -> dict[str, Any]:
    messages = [
        {"role": role_of(d, t), "content": f"{stamp(t.when)} {t.speaker}: {t.text}"}
        for t, _ in kept_turns(d, keep)
    ]
    return frame(d, model, messages)


def named(d: Dialogue, model: str, keep: Collection[str] | None = None) -> dict[str, Any]:
    messages: list[dict[str, Any]] = []
    for t, opens in kept_turns(d, keep):
        text = f"{session_line(t.session, d.sessions[t.session - 1])}\n{t.text}" if opens else t.text
        messages.append({"role": role_of(d, t), "name": name_field(t.speaker), "content": text})
    return frame(d, model, messages)


def chatlog(d: Dialogue, model: str, keep: Collection[str] | None = None) -> dict[str, Any]:
    messages = [
        {"role": role_of(d, t), "content": f"{chatlog_stamp(t.when, i)} - {t.speaker}: {t.text}"}
        for i, (t, _) in enumerate(kept_turns(d, keep))
    ]
    return frame(d, model, messages)


def merged_lines(d: Dialogue, model: str, keep: Collection[str] | None = None) -> dict[str, Any]:
    return merged(d, model, keep, MERGE, own_line=True)


def named_apart(
    d: Dialogue, model: str, keep: Collection[str] | None = None, role: str = "system"
) -> dict[str, Any]:
    """``named`` with each session line a message of its own (``role``), before the session's turns."""
    messages: list[dict[str, Any]] = []
    for t, opens in kept_turns(d, keep):
        if opens:
            messages.append({"role": role, "content": session_line(t.session, d.sessions[t.session - 1])})
        messages.append({"role": role_of(d, t), "name": name_field(t.speaker), "content": t.text})
    return frame(d, model, messages)


def merged_sessions(d: Dialogue, model: str, keep: Collection[str] | None = None) -> dict[str, Any]:
    """A message a session: its header opening the first turn's line, roles alternating."""
    messages: list[dict[str, Any]] = []
    lines: list[str] = []
    for t, opens in kept_turns(d, keep):
        if opens and lines:
            messages.append(
                {"role": "user" if len(messages) % 2 == 0 else "assistant", "content": "\n".join(lines)}
            )
            lines = []
        lines.append(
            (f"{locomo_header(d.sessions[t.session - 1])} " if opens else "") + f"{t.speaker}: {t.text}"
        )
    if lines:
        messages.append(
            {"role": "user" if len(messages) % 2 == 0 else "assistant", "content": "\n".join(lines)}
        )
    return frame(d, model, messages)


def one_message(d: Dialogue, model: str, keep: Collection[str] | None = None) -> dict[str, Any]:
    body = merged(d, model, keep, max(1, len(d.turns)), own_line=True)
    system, chat, question = body["messages"][0], body["messages"][1], body["messages"][-1]
    pasted = {"role": "user", "content": f"{chat['content']}\n\n{question['content']}"}
    return {**body, "messages": [system, pasted]}


def telegram_turn(t: Turn) -> str:
    """A message as Telegram copies it: ``Caroline, [08.05.23 13:56]``, the text on the next line."""
    return f"{t.speaker}, [{t.when:%d.%m.%y %H:%M}]\n{t.text}"


def telegram(d: Dialogue, model: str, keep: Collection[str] | None = None) -> dict[str, Any]:
    return per_turn(d, model, keep, telegram_turn)


def one_telegram(d: Dialogue, model: str, keep: Collection[str] | None = None) -> dict[str, Any]:
    """The whole conversation copied out of Telegram into the only user message."""
    chat = "\n".join(telegram_turn(t) for t, _ in kept_turns(d, keep))
    system = {"role": "system", "content": system_prompt(d)}
    return {"model": model, "messages": [system, {"role": "user", "content": f"{chat}\n\n{FINAL_QUESTION}"}]}


def irc(
    d: Dialogue, model: str, keep: Collection[str] | None = None, nick: Callable[[str], str] = str
) -> dict[str, Any]:
    """An IRC log, ``MERGE`` turns a message: ``[13:56] <Caroline> text`` lines (the speaker's
    ``nick``), a new day announced by ``--- Day changed Mon May 08 2023``."""
    kept = kept_turns(d, keep)
    messages: list[dict[str, Any]] = []
    last: dt.date | None = None
    for k in range(0, len(kept), MERGE):
        lines: list[str] = []
        for t, _ in kept[k : k + MERGE]:
            if t.when.date() != last:
                lines.append(f"--- Day changed {t.when:%a %b %d %Y}")
                last = t.when.date()
            lines.append(f"[{t.when:%H:%M}] <{nick(t.speaker)}> {t.text}")
        messages.append(
            {"role": "user" if (k // MERGE) % 2 == 0 else "assistant", "content": "\n".join(lines)}
        )
    return frame(d, model, messages)


def irc_handles(d: Dialogue, model: str, keep: Collection[str] | None = None) -> dict[str, Any]:
    """``irc`` with lowercase nicks (``[13:56] <caroline> text``), as most IRC users write theirs."""
    return irc(d, model, keep, str.lower)


# what WhatsApp writes between the turns of an export: notices and placeholders
APP_LINES = (
    "Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them.",
    "{who}: <Media omitted>",
    "{who}: This message was deleted",
    "Missed voice call",
    "{who}: image omitted",
)


def whatsapp(d: Dialogue, model: str, keep: Collection[str] | None = None) -> dict[str, Any]:
    """A US phone's WhatsApp export, one message a turn: ``5/8/23, 1:56 PM - Caroline: text``;
    every seventh turn has one of the app's own lines before it (:data:`APP_LINES`)."""
    messages: list[dict[str, Any]] = []
    for i, (t, _) in enumerate(kept_turns(d, keep)):
        w = t.when
        stamp = f"{w.month}/{w.day}/{w:%y}, {h12(w)} - "
        line = f"{stamp}{t.speaker}: {t.text}"
        if i % 7 == 3:
            line = stamp + APP_LINES[(i // 7) % len(APP_LINES)].format(who=t.speaker) + "\n" + line
        messages.append({"role": role_of(d, t), "content": line})
    return frame(d, model, messages)


def discord_export(d: Dialogue, model: str, keep: Collection[str] | None = None) -> dict[str, Any]:
    """One turn a message as DiscordChatExporter writes it: ``[5/8/2023 1:56 PM] caroline``, the
    text on the next line."""
    return per_turn(
        d, model, keep, lambda t: f"[{t.when.month}/{t.when.day}/{t.when.year} {h12(t.when)}] {t.speaker.lower()}\n{t.text}"
    )  # fmt: skip


def imessage(d: Dialogue, model: str, keep: Collection[str] | None = None) -> dict[str, Any]:
    """One turn a message as an iMessage export writes it: ``May 08, 2023  1:56:00 PM``, the
    sender's name on the next line, then the text."""
    return per_turn(
        d, model, keep, lambda t: f"{t.when:%b %d, %Y} {h12(t.when, seconds=True)}\n{t.speaker}\n{t.text}"
    )  # fmt: skip


def merged_long(d: Dialogue, model: str, keep: Collection[str] | None = None) -> dict[str, Any]:
    return merged(d, model, keep, MERGE_LONG)


RENDER: dict[str, Callable[..., dict[str, Any]]] = {
    "merged": merged,
    "merged-lines": merged_lines,
    "merged-long": merged_long,
    "stamped": stamped,
    "named": named,
    "chatlog": chatlog,
    "one-message": one_message,
    "merged-sessions": merged_sessions,
    "named-system": named_apart,
    "named-user": lambda d, model, keep=None: named_apart(d, model, keep, "user"),
    "telegram": telegram,
    "irc": irc,
    "one-telegram": one_telegram,
    "irc-handles": irc_handles,
    "whatsapp": whatsapp,
    "discord-export": discord_export,
    "imessage": imessage,
    **render_tools.TOOLS,
}


def renderer(name: str) -> Callable[..., dict[str, Any]] | None:
    """The rendering called ``name``: one of :data:`RENDER`, or ``merged-N`` (``merged`` with
    ``N`` turns a message, ``merged-12``); ``None`` when there is none of that name."""
    if name in RENDER:
        return RENDER[name]
    m = re.fullmatch(r"merged-(\d+)", name)
    if m is None or int(m.group(1)) < 1:
        return None
    per = int(m.group(1))
    return lambda d, model, keep=None: merged(d, model, keep, per)
