"""The dropped span as digest units: who said what, and when.

A message is read line by line. A line may open with a date header or a timestamp
(:func:`~proxy.compress.dates.line_stamp`): the stamp sets the date in force and is never
content. The speaker is, in order: the message's ``name`` field (or a MassGen agent label), a
``Name:`` after a stamp or at the start of a line (a name the conversation uses at least
twice), else the role. So merged turns (clients that join consecutive messages) and a stamp on
every turn keep their speakers and days.

Each turn is cut into sentences (clauses when long), condensed (:func:`units.condense`); a
sentence with almost nothing left (``You've got guts!``) is dropped whole, a relative date
gets its calendar value (``yesterday (7 May)``), and a short answer carries the question
it answers (``how long married? 5 years``), so that every unit reads as a statement.

Tool calls read as ``str_replace_editor view src/app.py → 26 lines``; tool output gives its
error lines and its lines naming paths, identifiers or numbers. A placeholder an earlier stage
wrote (``[ctxproxy: output of … omitted …]``) gives no unit: its mentions are on the trail; nor
does a marker line an earlier compaction left in a message (``[ctxproxy: the 15 older lines of
this message are in the digest above]``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from proxy.compress import code_view, salient
from proxy.compress.chat_lines import day_after, said_messages
from proxy.compress.dates import slashes_month_first
from proxy.compress.json_export import one_per_line
from proxy.compress.relative_dates import resolve_relative
from proxy.compress.speakers import speaker_prefix, vocative, without_prefix
from proxy.compress.summarizer import DroppedMessage
from proxy.compress.units import (
    FEELINGS,
    Unit,
    condense,
    content_words,
    estimate_tokens,
    find_speakers,
    idf_weights,
    split_units,
)

PROXY_MARK = "[ctxproxy:"  # a placeholder an earlier stage wrote (masked or duplicate output)
INSTRUCTION_WEIGHT = 2.0  # a user message in a tool loop is an instruction: weighs more
QUESTION_WEIGHT = 0.6  # a question is seldom the fact; its answer carries it
WHEN_WEIGHT = 2.0  # a unit that says when something happened: most questions ask "when"
_WHEN = re.compile(  # (searched in the lower-cased sentence: faster than ignoring case)
    r"\b(?:yesterday|today|tonight|tomorrow|ago|last|next|recently|weekend|week|month|year"
    r"|monday|tuesday|wednesday|thursday|friday|saturday|sunday|since|(?:19|20)\d\d)\b",
)
TURN_CHUNK = 40  # a turn's sentences are packed into units of about this many tokens
EVENT_WEIGHT = 1.4  # a first-person event ("I went to …", "we adopted …"): what people ask about later
ADDRESS_WEIGHT = 0.6  # a sentence about the listener ("your kids must love it"): seldom a fact
_FIRST = re.compile(r"\b(?:I|I'm|I've|I'd|my|me|we|we're|we've|our|us)\b")
_SECOND = re.compile(r"\b(?:you|your|you're|you've|yours)\b")  # (in the lower-cased sentence)
_EVENT = re.compile(
    r"\b(?:\w{3,}ed|went|took|got|made|saw|had|did|bought|ran|began|started|met|gave|found|read|wrote"
    r"|joined|left|came|won|lost|built|drew|sang|taught|chose|kept|sold|spent|felt|became|moved)\b",
    re.I,
)
SHORT_ANSWER = 4  # an answer with at most this many content words carries its question
TOOL_LINES = 10  # lines of one tool output offered as units at most
TOOL_LINE_CHARS = 160
CALL_PREFIX = "Called "  # how the summarize stage writes a message's tool calls (one line)
_FACT = re.compile(r"\b(?:line \d+|[A-Z]\w*(?:Error|Exception|Warning)\b)|[\w.-]+\.\w{1,5}\b|\b\d{3,}\b")
# a terminal's chrome, not the command's output: a bare shell prompt (``root@host:/repo #``) and
# the lines an agent harness adds (``[Command finished with exit code 0]``, ``[Python Interpreter: …]``)
_PROMPT_LINE = re.compile(r"(?:\([\w.-]+\)\s*)?[\w.-]+@[\w.-]+:\S*\s*[#$%>]")
_HARNESS = re.compile(r"\[(?:Command finished with exit code -?\d+|Python Interpreter: [^\]\n]*)\]")
CHROME_TAIL = 400  # characters at an output's end where a harness writes its chrome
_EXIT = re.compile(r"\[Command finished with exit code (-?\d+)\]")  # said on the call: ``→ 3 lines, exit 1``


@dataclass(slots=True)
class Turn:
    """A stretch of one speaker on one day: a message, or one turn of a merged message."""

    mi: int
    who: str
    day: dt.date | None
    text: str


def _role_name(msg: DroppedMessage) -> str:
    return f"tool {msg.tool_name}" if msg.tool_name else msg.role


def _lines(msg: DroppedMessage) -> list[str]:
    lines = one_per_line(msg.text).split("\n")  # a pasted chat export: a message a line
    if msg.role == "assistant" and lines and lines[-1].startswith(CALL_PREFIX):
        lines = lines[:-1]  # the calls are units of their own
    # a marker an earlier compaction left in a message (its older lines are in the digest)
    return [line for line in lines if not line.startswith(PROXY_MARK)]


def turns(
    dropped: tuple[DroppedMessage, ...], start_day: dt.date | None, known: frozenset[str] = frozenset()
) -> list[Turn]:
    """The span's turns with their speaker and the date in force."""
    texts = {i: _lines(msg) for i, msg in enumerate(dropped) if msg.role != "tool"}
    us = slashes_month_first([line for lines in texts.values() for line in lines])  # the span's order
    # read together: a speaker convention the span follows (``Caroline — text``), one turn a message too
    said = dict(zip(texts, said_messages(list(texts.values()), us), strict=True))
    read = [[(None, msg.text)] if msg.role == "tool" else said[i] for i, msg in enumerate(dropped)]
    firsts = [rest for lines in said.values() for _, rest in lines if rest.strip()]
    names = find_speakers(firsts) | known
    out: list[Turn] = []
    day = start_day
    for mi, (msg, lines) in enumerate(zip(dropped, read, strict=True)):
        if msg.role == "tool":
            out.append(Turn(mi, _role_name(msg), day, msg.text))
            continue
        who = msg.speaker or _role_name(msg)
        buf: list[str] = []
        for found, line in lines:
            if msg.speaker and speaker_prefix(line) == msg.speaker:
                line = without_prefix(line)  # the name field's speaker, written again in the text
            speaker = None if msg.speaker else speaker_prefix(line)
            opens = speaker is not None and speaker in names
            if (found is not None and found != day) or opens:
                if buf and "".join(buf).strip():
                    out.append(Turn(mi, who, day, "\n".join(buf)))
                buf = []
            day = found or day
            if opens and speaker:
                who = speaker
                line = without_prefix(line)
            buf.append(line)
        if "".join(buf).strip():
            out.append(Turn(mi, who, day, "\n".join(buf)))
    return out


def last_day(messages: tuple[DroppedMessage, ...]) -> dt.date | None:
    """The date in effect after ``messages``: the last dated header line among them (read
    from the newest message back: a long span is not read past its last date)."""
    for msg in reversed(messages):
        if msg.role != "tool" and (day := day_after(msg.text)) is not None:
            return day
    return None


def _without_chrome(text: str) -> str:
    """A tool output without its terminal's chrome, which a harness leaves at its end: a bare
    prompt line, and the harness's own lines (glued to the output's last line, or alone)."""
    cut = text.rfind("\n", 0, max(0, len(text) - CHROME_TAIL)) + 1
    head, tail = text[:cut], text[cut:]
    if "@" not in tail and "[" not in tail:
        return text
    kept: list[str] = []
    for line in tail.split("\n"):
        if _PROMPT_LINE.fullmatch(" ".join(line.split())):
            continue
        bare = _HARNESS.sub("", line)
        if bare.strip() or bare == line:  # a line that only held the harness's text goes
            kept.append(bare)
    return head + "\n".join(kept)


def _tool_lines(text: str) -> list[str]:
    """The lines of a tool output (its chrome already gone) worth a unit: errors and lines
    naming facts, first line too."""
    lines = [" ".join(s.split()) for s in salient.scan_window(text).split("\n")]
    lines = [s for s in lines if len(s) > 2]
    if not lines:
        return []
    picked = [lines[0]]
    for s in lines[1:]:
        if s.rstrip("→").isdigit() or salient.boilerplate(s):
            continue  # a numbered view's blank line (``417``, Claude Code's ``417→``), a licence comment
        if salient.ERROR.search(s) or _FACT.search(s):
            picked.append(s)
    if len(picked) > TOOL_LINES:  # errors first, then the rest in order
        errors = [s for s in picked[1:] if salient.ERROR.search(s)][-TOOL_LINES // 2 :]
        rest = [s for s in picked[1:] if s not in errors][: TOOL_LINES - 1 - len(errors)]
        keep = set(errors) | set(rest)
        picked = [picked[0]] + [s for s in picked[1:] if s in keep]
    return [s[:TOOL_LINE_CHARS].replace("|", "/").replace(";", ",") for s in picked]


def _without_tail(text: str) -> str:
    """A file view without the block in tags its tool appended (Claude Code's
    ``<system-reminder>``): no line of the file, no fact of the session. Any other output whole."""
    body, appended = code_view.split_tail(text)
    return body.rstrip("\n") if appended and code_view.is_code_view(body) else text


def _line_count(text: str) -> str:
    """``26 lines``; an output an earlier stage cut says so, not the lines left around its marker
    (``4 lines shown, 2519 tokens cut``; ``2519 tokens, cut``)."""
    cut = code_view.CUT_TOKENS.search(text) if "ctxproxy cut" in text else None
    if cut is None:
        n = text.count("\n") + 1
        return f"{n} line{'' if n == 1 else 's'}"
    shown = sum(1 for line in code_view.CUT_TOKENS.sub("", text).split("\n") if line.strip())
    if not shown:
        return f"{cut.group(1)} tokens, cut"
    return f"{shown} line{'' if shown == 1 else 's'} shown, {cut.group(1)} tokens cut"


def _voice(sentence: str) -> float:
    """A first-person event weighs more, a remark about the listener less (chat, not tool loops)."""
    first = _FIRST.search(sentence) is not None
    if first and _EVENT.search(sentence):
        return EVENT_WEIGHT
    if not first and _SECOND.search(sentence.lower()):
        return ADDRESS_WEIGHT
    return 1.0


_CONTINUES = frozenset(
    """it it's its that that's this these those he he's him his she she's her they they're them their
    there so but and also then plus which though too especially because since still even""".split()
)


_ANCHOR = re.compile(r"(?<=\S )(?!I\b|I'|I’)[A-Z]\w+|\d")


def _continues(sentence: str) -> bool:
    """Whether a sentence leans on the one before: it opens with a pronoun or a connective
    (``It was so powerful.``, ``So we …``), or names nothing of its own (no name, no number)."""
    first = sentence.split(maxsplit=1)[:1]
    if not first or first[0].strip(",.!?;:\"'()").lower().replace("’", "'") in _CONTINUES:
        return True
    return _ANCHOR.search(sentence) is None


def _chunks(parts: list[tuple[str, float, bool]], size: int) -> list[tuple[str, float]]:
    """A turn's sentences as units: a sentence that leans on the one before (a pronoun, a
    connective) stays with it, so a fact keeps its subject; a sentence with its own subject
    starts a unit. A unit holds about ``size`` estimated tokens at most and weighs what its
    sentences weigh, by length."""
    if size <= 1:
        return [(text, weight) for text, weight, _ in parts]
    out: list[tuple[str, float]] = []
    texts: list[str] = []
    mass = 0.0
    for text, weight, leans in parts:
        if texts and (not leans or estimate_tokens("; ".join([*texts, text])) > size):
            joined = "; ".join(texts)
            out.append((joined, mass / len(joined)))
            texts, mass = [], 0.0
        texts.append(text)
        mass += weight * len(text)
    if texts:
        joined = "; ".join(texts)
        out.append((joined, mass / len(joined)))
    return out


def make_units(
    dropped: tuple[DroppedMessage, ...],
    start_day: dt.date | None,
    known: frozenset[str] = frozenset(),
    measure: Callable[[str], int] = estimate_tokens,
) -> tuple[list[Unit], dict[str, float]]:
    """Units of the span, attributed and condensed, and the IDF weights of their words."""
    count = measure
    agentic = any(m.role == "tool" for m in dropped)  # a tool loop: the user's words instruct
    units: list[Unit] = []
    docs: dict[int, set[str]] = {}
    pending: list[Unit] = []  # calls waiting for their output
    asked: tuple[str, str] | None = None  # (speaker, text) of the last sentence, when a question

    def add(ti: int, turn: Turn, text: str, weight: float = 1.0, required: bool = False) -> Unit | None:
        words = tuple(dict.fromkeys(content_words(text)))
        if not words:
            return None
        docs.setdefault(ti, set()).update(words)  # one document a turn (merged messages too)
        turn_of = -1 if agentic else ti  # (a tool loop's lines are split as they come)
        unit = Unit(
            len(units), turn.mi, turn.who, turn.day, text, words, count(text) + 1, required, weight, turn_of
        )
        units.append(unit)
        return unit

    spans = turns(dropped, start_day, known)
    without_vocative = vocative({t.who for t in spans} | known)
    for ti, turn in enumerate(spans):
        msg = dropped[turn.mi]
        if msg.role == "tool":
            if turn.text.lstrip().startswith(PROXY_MARK):
                pending = pending[1:]
                continue  # the proxy's own placeholder: its mentions are on the artifact trail
            call = pending.pop(0) if pending else None
            out = _without_tail(turn.text)
            bare = _without_chrome(out)
            if call is not None:
                failed = _EXIT.search(out, max(0, len(out) - CHROME_TAIL))
                code = f", exit {failed.group(1)}" if failed and failed.group(1) != "0" else ""
                call.text += " → " + _line_count(bare) + code
                call.cost = count(call.text) + 1
            for line in _tool_lines(bare)[0 if call is None else 1 :]:
                add(ti, turn, line)
            asked = None
            continue
        weight = INSTRUCTION_WEIGHT if agentic and msg.role == "user" else 1.0
        first = True
        parts: list[tuple[str, float, bool]] = []  # condensed sentences of the turn: weight, leans
        for k, sentence in enumerate(split_units(turn.text)):
            if msg.required and (k == 0 or sentence.rstrip().endswith("?")):
                text = " ".join(sentence.split())[:300].replace("|", "/").replace(";", ",")
                add(ti, turn, text, weight, required=True)
                continue
            sentence = without_vocative(sentence)
            short = condense(resolve_relative(sentence, turn.day))
            words = content_words(short)
            if len({w for w in words if w not in FEELINGS}) < 2 and not any(ch.isdigit() for ch in short):
                continue  # a filler ("You've got guts!", "bro bro"): dropped whole
            if any(short == text for text, _, _ in parts):
                continue  # said twice in one turn: once is enough
            is_question = sentence.rstrip().endswith("?")
            if first and asked is not None and asked[0] != turn.who and len(words) <= SHORT_ANSWER:
                short = f"{asked[1]}? {short}"  # the answer carries its question
            if is_question:
                weight_of = QUESTION_WEIGHT * weight
            else:
                weight_of = WHEN_WEIGHT * weight if _WHEN.search(sentence.lower()) else weight
                if not agentic:
                    weight_of *= _voice(sentence)
            parts.append((short, weight_of, _continues(sentence)))
            first = False
            asked = (turn.who, short) if is_question else None
        for text, weight_of in _chunks(parts, 1 if agentic else TURN_CHUNK):
            add(ti, turn, text, weight_of)
        for described in msg.calls:
            made = add(ti, turn, described.replace("|", "/").replace(";", ","))
            if made is not None:
                pending.append(made)
    return units, idf_weights(list(docs.values()))
