"""A speaker's ``Name:`` at the start of a line, in any script.

A name is one to three words, each starting with an uppercase letter of any alphabet
(``Dana``, ``Élodie``, ``Ömer Yılmaz``, ``Mary Ann Lee``, ``Дмитрий``, ``Łukasz``), with
lowercase particles between them (``Ludwig van Beethoven``, ``María de la Cruz``, ``Salman bin
Khalid``), or written in a script without case (``王伟``, ``محمد``, ``דנה``, ``राहुल``, ``สมชาย``;
then short: a few characters for Chinese, Japanese and Korean, up to three words elsewhere),
followed by a colon (``:``, the
full-width ``：``, or `` :`` as French writes it) and a space (none needed after ``：``), bold
in Markdown or not (``**Dana:**``, ``**Dana**:``). A phone's chat export also names a
contact with an emoji after the name (``Anna 🌸:``) or, not saved, by its number in
international form (``+49 151 23456789:``); an IRC log writes ``<Dana> text``
(:func:`irc_nick`). After a timestamp, a chat app's lowercase handle is a speaker too
(``[13:56] dana: text``, ``[13:56] <dana> text``: :func:`after_stamp`); without one,
``key: value`` is content.

A transcript's numbered label is a name too (``Speaker 1:``, ``Guest 2:``), a heading's
(``Step 2:``, ``Chapter 3:``, ``Option 1:``) is not.

Not names: a time (``14:02``), a URL, a line of code (``def f():``), a list label
(``1.``, ``a)``), and the labels notes and messages use in English and the languages the
digest reads (``Note:``, ``Error:``, ``Hinweis:``, ``Erreur:``, ``Nota:``, ``Примечание:``,
``注意：``, ``错误：`` …).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

_NOT_SPEAKERS = frozenset(
    """note error warning update summary question answer step task todo re subject traceback
    info debug output input result results example http https file path status ps edit fix
    reason because warning important tip hint update warn fatal trace critical notice verbose
    log stdout stderr err crit alert emerg
    background context overview goal goals requirements description details notes problem
    approach conclusion introduction usage examples parameters args arguments returns raises
    yields attributes steps environment prerequisites
    hinweis fehler warnung achtung anmerkung frage antwort zusammenfassung beispiel ergebnis
    schritt aufgabe betreff wichtig tipp grund notiz ausgabe eingabe lösung
    remarque erreur attention avertissement réponse résumé exemple résultat étape tâche objet
    conseil astuce raison sortie entrée solution
    nota advertencia aviso atención pregunta respuesta resumen ejemplo resultado paso tarea
    asunto importante consejo razón salida entrada solución
    errore avviso attenzione domanda risposta riepilogo esempio risultato passo compito oggetto
    consiglio motivo soluzione
    erro atenção pergunta resposta resumo exemplo tarefa assunto dica solução saída
    opmerking fout waarschuwing vraag antwoord samenvatting voorbeeld resultaat stap taak
    onderwerp belangrijk reden uitvoer oplossing
    примечание ошибка внимание предупреждение вопрос ответ итог результат пример шаг задача
    важно совет тема вывод решение
    注意 错误 錯誤 警告 提示 备注 備註 说明 說明 问题 問題 答案 结果 結果 输出 輸出 输入 輸入 例如 示例
    步骤 步驟 任务 任務 原因 注 例 回答 質問 エラー 参考 오류 경고 주의 참고 질문 답변 결과
    ملاحظة خطأ تحذير سؤال جواب הערה שגיאה אזהרה שאלה תשובה""".split()
)
# A name's words as other modules' patterns find them (which words qualify is checked here:
# :func:`speaker_prefix`): up to four, the particles of ``María de la Cruz`` included.
NAME = r"[^\W\d_][\w'.’-]*(?: [^\W\d_][\w'.’-]*){0,3}"
# A name, then ``:``/``：``; which words qualify is checked in Python (Unicode case).
_PREFIX = re.compile(
    r"[ \t]*(?:\*\*)?([^\s:：*()\[\]{}<>=/\\\"`|,;]{1,31}(?: [^\s:：*()\[\]{}<>=/\\\"`|,;]{1,31}){0,3})(?:\*\*)?( ?[:：])(?:\*\*)?"
)
# a phone number a chat export names an unsaved contact by: ``+49 151 23456789: text``
_PHONE = re.compile(r"[ \t]*(\+\d[\d \-()]{5,20}\d)( ?[:：])")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_CJK_NAME_CHARS = 6  # Chinese names are two to four characters; a Japanese one a little more
_UNCASED_WORD_CHARS = 16
_SPEECH_VERBS = frozenset("说說道问問答曰讲講")  # 他说：… is speech, not a speaker


def _cased_word(word: str) -> bool:
    """``Élodie``, ``O'Brien``, ``Jean-Luc``: an uppercase letter, then letters (and marks)."""
    if not word[0].isupper():
        return False
    return all(ch.isalnum() or ch in ".'-’_" or unicodedata.category(ch)[0] == "M" for ch in word[1:])


# lowercase words between the parts of a name (``Ludwig van Beethoven``, ``Salman bin Khalid``)
PARTICLES = frozenset(
    "van von de da del della der den di du dos das do la le bin ibn bint al el ter ten y e".split()
)
MAX_NAME_WORDS = 3  # capitalised (or uncased) words of a name, particles not counted


def _cased_name(words: list[str]) -> bool:
    """``Mary Ann Lee``, ``Ludwig van Beethoven``: capitalised words, particles between them."""
    if len(words) <= 2:
        return all(_cased_word(w) for w in words)
    middle = words[1:-1]
    if not (_cased_word(words[-1]) and all(_cased_word(w) or w in PARTICLES for w in middle)):
        return False
    return 2 + sum(w[0].isupper() for w in middle) <= MAX_NAME_WORDS


def _uncased_word(word: str) -> bool:
    """A word of a script without case: letters and marks only, no digits, short."""
    if len(word) > _UNCASED_WORD_CHARS:
        return False
    for ch in word:
        if ch.isdigit() or ch.isupper() or ch.islower():
            return False
        if not (ch.isalpha() or unicodedata.category(ch)[0] == "M" or ch in "·・"):
            return False
    return True


def _emoji(word: str) -> bool:
    """A word of emoji only (``🌸``, ``❤️``, ``👨‍👩‍👧``): a chat export writes contacts so."""
    return all(unicodedata.category(ch) in ("So", "Sk", "Mn", "Cf") for ch in word)


def _bare(name: str) -> str:
    """``Anna`` for ``Anna 🌸``: a name without the emoji a contact is saved with."""
    first, _, last = name.rpartition(" ")
    return first if first and _emoji(last) and not _emoji(first.split(" ")[0]) else name


# words that a number after them makes a heading or a list label, not a speaker (``Step 2:``)
_NUMBERED = frozenset(
    """step chapter section part day question example option figure table rule phase round level
    version item task exercise problem session page line note point slide scene act episode week
    stage test case issue lesson unit module volume article paragraph answer solution tip fig""".split()
)


def _name(candidate: str) -> bool:
    words = _bare(candidate).split(" ")
    if words[0][0].isupper():
        if len(words) == 2 and words[1].isdigit() and len(words[1]) <= 2:  # a transcript's ``Speaker 1``
            return _cased_word(words[0]) and words[0].lower() not in _NUMBERED
        return _cased_name(words)
    if len(words) > MAX_NAME_WORDS or not all(_uncased_word(w) for w in words):
        return False
    if _CJK.search(candidate):
        return len(candidate.replace(" ", "")) <= _CJK_NAME_CHARS and candidate[-1] not in _SPEECH_VERBS
    return True


def _match(text: str) -> re.Match[str] | None:
    return (_PHONE.match(text) if "+" in text[:4] else None) or _PREFIX.match(text)


def speaker_prefix(text: str) -> str | None:
    """``Dana`` from ``Dana: text`` (a capitalised name of one to three words, any alphabet, a
    short name in a script without case, or a phone number ``+49 151 23456789``, a name and an
    emoji ``Anna 🌸``), else None."""
    m = _match(text)
    if m is None:
        return None
    colon = m.group(2)
    after = text[m.end() : m.end() + 1]
    if colon.endswith(":") and after not in (" ", "\t"):
        return None  # "http://", "14:02", "a:b"
    if colon.startswith(" ") and not after:
        return None
    name = m.group(1)
    if m.re is _PHONE:
        return name
    if not _name(name) or _bare(name).lower() in _NOT_SPEAKERS:
        return None
    return name


def speaker_shaped(text: str) -> bool:
    """Whether ``text`` opens with something shaped like a ``Name:`` (labels included)."""
    m = _match(text)
    if m is None or not (m.re is _PHONE or _name(m.group(1))):
        return False
    return text[m.end() : m.end() + 1] in (" ", "\t", "\n")


def without_prefix(line: str) -> str:
    """``line`` after its ``Name:`` (``:`` or ``：``), or the line itself when it has none."""
    m = _match(line)
    return line[m.end() :].lstrip() if m is not None else line


# an IRC log's ``<Caroline> text``: the nick is the speaker; an HTML tag is none (``<div> x``)
_HTML = frozenset(
    "a b i u p q s br hr li ul ol dl dt dd em tt div span code pre img table tr td th h1 h2 h3 h4 h5 h6 html head body script style strong small sub sup".split()
)
_NICK = re.compile(r"<[@+%~&]?([^\W\d_][\w'.’-]*)> ?")
_NAME_ONLY = re.compile(rf"[ \t]*\**({NAME})\** ?[:：]\**[ \t]*")


def irc_nick(line: str, handles: bool = False) -> str:
    """``Caroline: text`` for an IRC log's ``<Caroline> text``; with ``handles`` (after a
    timestamp), a lowercase nick too (``<caroline> text``, :func:`handle`); else ``line``."""
    m = _NICK.match(line)
    if m is None:
        return line
    said = f"{m.group(1)}: {line[m.end() :]}"
    if speaker_prefix(f"{m.group(1)}: .") is not None:
        return said
    if handles and m.group(1) not in _HTML and (named := handle(said)) != said:
        return named
    return line


# a chat app's handle: one word, lowercase (``dana``, ``mike.s``, ``dev_guy42``), before ``:``
_HANDLE = re.compile(r"([^\W\d_][\w'.’-]{0,23}) ?[:：](?=[ \t]|$)")


def handle(text: str) -> str:
    """``Dana: text`` for ``dana: text``: a lowercase handle as a speaker's name (its first
    letter made uppercase), for what follows a timestamp only; else ``text``. The labels of
    notes and logs (``error:``, ``info:``, ``todo:``) stay content."""
    m = _HANDLE.match(text)
    if m is None:
        return text
    name = m.group(1)
    if not name[0].islower() or name.lower() in _NOT_SPEAKERS:
        return text
    named = name[0].upper() + name[1:]
    return f"{named}: {text[m.end() :].lstrip()}" if _cased_word(named) else text


# a word alone on a line that is a reply or a status, not a sender's name
_ALONE_NOT_NAMES = frozenset(
    """hi hello hey thanks thank yes yeah yep no nope ok okay sure cool nice great bye lol haha wow
    oh ah hmm same true exactly agreed done started starting finished error failed success
    running stopped ready connected disconnected pending completed loading saved updated deleted
    sent delivered read seen edited""".split()
)
_DISCRIMINATOR = re.compile(r"#\d{4}$")  # a Discord user's old ``caroline#1234``


def bare_name(text: str) -> str | None:
    """``Caroline`` for a line that is only a sender's name (``Caroline``, ``Caroline Smith``,
    ``Anna 🌸``, a handle ``caroline`` or ``caroline#1234``), as chat exports write it above
    the text, under or after the message's stamp (the caller checks the stamp); else None.
    A reply or a status alone (``Thanks``, ``Done``) is no name."""
    word = _DISCRIMINATOR.sub("", text.strip().strip("*"))
    if not word or len(word) > 40 or word.lower() in _ALONE_NOT_NAMES or word.lower() in _NOT_SPEAKERS:
        return None
    name = sender_name(word)
    return name if name is not None and name.lower() == word.lower() else None  # the whole line


# Zoom's saved chat: ``From Dana to Everyone:``, ``From Dana to Sam (Direct Message):``, and
# the older ``From  Dana : text``
_ZOOM = re.compile(r"From[ \t]+(\S.{0,40}?)(?:[ \t]+to[ \t]+[^:\n]{1,60}?|[ \t]*)[ \t]?:(?=[ \t]|$)[ \t]*")


def zoom_sender(text: str) -> str:
    """``Dana: text`` for what follows a timestamp in Zoom's saved chat, ``From Dana to
    Everyone: text``; else ``text``."""
    m = _ZOOM.match(text) if text[:4] == "From" else None
    if m is None or speaker_prefix(f"{m.group(1)}: .") is None:
        return text
    return f"{m.group(1)}: {text[m.end() :]}"


def sender_name(raw: str) -> str | None:
    """A sender's name as a tool writes it in a field of its own (a mail header, a JSON key, a
    table cell: ``Caroline Smith``, ``"Smith, Caroline"``, a handle ``caroline``) as the digest
    writes it, or ``None`` when it is no name."""
    name = " ".join(raw.strip().strip("\"'").split())
    if not name or len(name) > 40:
        return None
    last, comma, first = name.partition(", ")
    if comma and " " not in last and " " not in first:
        name = f"{first} {last}"  # Outlook's ``Smith, Caroline``
    if speaker_prefix(f"{name}: .") == name:
        return name
    if " " in name or ":" in name:
        return None  # a handle is one word
    said = handle(f"{name}: .")
    return said[:-3] if said != f"{name}: ." and speaker_prefix(said) is not None else None


def after_stamp(text: str) -> str:
    """What follows a timestamp, its speaker as ``Name: ``: an IRC nick (``<Dana> hi``), a
    lowercase handle (``dana: hi``), Zoom's ``From Dana to Everyone:``, a name alone with the
    text on the lines after it."""
    return name_only(handle(irc_nick(zoom_sender(text), handles=True)))


def name_only(text: str) -> str:
    """``Caroline Smith: `` for a text that is only a speaker's ``Name:``, the turn's text on
    the lines after it (what follows a stamp in ``[5/8/2023 1:56 PM] Caroline Smith:``); else
    ``text``."""
    m = _NAME_ONLY.fullmatch(text)
    if m is None or speaker_prefix(f"{m.group(1)}: .") is None:
        return text
    return f"{m.group(1)}: "


def display_name(field: str) -> str:
    """A chat message's ``name`` field as a reader writes the name: the field allows no spaces
    (``Fahim_Khan``), the digest says ``Fahim Khan``."""
    return " ".join(field.replace("_", " ").split()) or field


_GREETING = (
    r"(?:hey|hi|hello|thanks|thank you|wow|whoa|woah|oh|yeah|yes|yep|no|congrats|aw+|ok|okay|dear|sure"
    r"|hallo|salut|bonjour|coucou|hola|ciao|olá|oi|hoi|danke|merci|gracias|grazie|obrigad[oa]|bedankt)"
)


def vocative(speakers: set[str]) -> Callable[[str], str]:
    """The span's speakers (or a nickname: the first three letters or more of one) addressed
    by name, set off by punctuation (``Thanks, Caroline!``, ``Hey Mel,``): not the subject of
    anything, so the name leaves the sentence (else ``Caroline super busy`` reads wrong)."""
    names = sorted(
        {w for who in speakers for w in who.split()[:1] if w[:1].isupper() and len(w) >= 3}, key=len
    )
    if not names:
        return str
    name = "(?:" + "|".join(re.escape(n[:3]) + r"[^\W\d_]*" for n in names) + ")"  # Caroline, Mel, Thérèse
    pattern = re.compile(rf"(^|[,!.?:]\s+|\b(?i:{_GREETING}),?\s+){name}\b(?=\s*(?:[,!.?]|$))")
    heads = tuple({n[:3] for n in names})

    def without(sentence: str) -> str:  # (a name's head, case and all, is in any sentence it matches)
        return pattern.sub(r"\1", sentence) if any(h in sentence for h in heads) else sentence

    return without
