"""Lines a chat app writes in an export that nobody said: they give the digest nothing.

- a placeholder for what the export left out, as a message's whole text: ``<Media omitted>``,
  ``image omitted``, ``<attached: 00000012-PHOTO-….jpg>``, ``This message was deleted``,
  ``Missed voice call``, a call's record (``Voice call, 12 min``, ``Video call, No answer``),
  Telegram's ``[Photo]`` / ``[Sticker]`` (and WhatsApp's placeholders in German, French,
  Spanish, Italian and Portuguese);
- a notice after a timestamp, with no speaker: ``Messages and calls are end-to-end
  encrypted. …``, ``Ana joined using this group's invite link``, ``Ana added Ben``, ``Ben
  left``, ``Ana changed the subject to "Trip"``;
- a reaction that quotes the message it answers, as iMessage's tapbacks are exported
  (``Loved “I adopted a greyhound”``, ``Laughed at “…”``, ``Reacted 😂 to “…”``): the quoted
  words are the other speaker's;
- the mark WhatsApp puts after an edited message: `` <This message was edited>``.
"""

from __future__ import annotations

import re

_PLACEHOLDER = re.compile(
    r"[\u200e\u200f]?(?:"
    r"<(?:media omitted|medien ausgeschlossen|médias omis|multimedia omitido|media omessi|mídia oculta)>"
    r"|<attached: [^<>\n]{1,120}>"
    r"|(?:image|video|audio|sticker|gif|document|contact card|photo) omitted"
    r"|(?:this message was deleted|you deleted this message|diese nachricht wurde gelöscht"
    r"|du hast diese nachricht gelöscht|ce message a été supprimé|vous avez supprimé ce message"
    r"|se eliminó este mensaje|eliminaste este mensaje|questo messaggio è stato eliminato"
    r"|essa mensagem foi apagada|mensagem apagada)\.?"
    r"|(?:missed )?(?:group )?(?:voice|video) call(?:, [\u200e\u200f]?(?:\d{1,3} (?:sec|min|hr|hour)s?"
    r"|\d{1,2}:\d{2}(?::\d{2})?|no answer|tap to call back|click to call back|declined))?"
    r"|waiting for this message\. this may take a while\."
    r"|\[(?:photo|video|sticker|voice message|audio|file|gif|animation|video message|poll|location)\]"
    r")",
    re.I,
)
_NAME = r"[^\s:：][^:：\n]{0,40}?"  # checked in Python: capitalised words, a number or "You"
_NOTICE = re.compile(
    r"[\u200e\u200f]?(?:messages and calls are end-to-end encrypted\b.*"
    r"|messages to this (?:chat|group) are now secured with end-to-end encryption\b.*"
    r"|your security code with .{1,60} changed\b.*"
    r"|you're now an admin"
    rf"|(?P<who>{_NAME}) (?:joined using this group's invite link|created (?:group|this group) .{{0,80}}|left"
    rf"|added {_NAME}|removed {_NAME}|changed the subject (?:from .{{0,80}} )?to .{{0,80}}"
    r"|changed this group's icon|deleted this group's icon|changed the group description"
    r"|changed (?:their|his|her) phone number\b.*|is now an admin|joined|was added))\.?",
    re.I,
)
# a reaction that quotes the message it answers (iMessage's tapbacks; Messenger's): the
# quoted words are the other speaker's, never this one's
_REACTION = re.compile(
    r"(?:loved|liked|disliked|laughed at|emphasized|emphasised|questioned|reacted \S{1,8} to)"
    r" (?:“[^”\n]{0,2000}”|\"[^\"\n]{0,2000}\"|an image|a photo|a message)",
    re.I,
)
EDITED = " <This message was edited>"


def is_placeholder(text: str) -> bool:
    """Whether a message's whole text is an app's placeholder (``<Media omitted>``) or a
    reaction quoting another message (``Loved “I got the job!”``)."""
    if len(text) < 160 and _PLACEHOLDER.fullmatch(text.strip()) is not None:
        return True
    return text[:1] in "LlDdEeQqRr" and _REACTION.fullmatch(text.strip()) is not None


def is_notice(text: str) -> bool:
    """Whether ``text``, what follows a timestamp with no speaker, is an app's notice
    (``Ben left``, ``Messages and calls are end-to-end encrypted. …``)."""
    m = _NOTICE.fullmatch(text.strip()) if len(text) < 300 else None
    return m is not None and (m.group("who") is None or _named(m.group("who")))


def _named(who: str) -> bool:
    """``Ana``, ``Caroline Smith``, ``+49 151 2345``, ``You``: who a notice is about (``The
    train left`` is a sentence)."""
    if who.startswith("+"):
        return who[1:].replace(" ", "").replace("-", "").isdigit()
    words = who.split(" ")
    return len(words) <= 3 and all(w[:1].isupper() for w in words)


def without_marks(text: str) -> str:
    """``text`` without the mark an app appends to an edited message."""
    return text.replace(EDITED, "") if EDITED in text else text
