"""A file shown with line numbers (``cat -n``, an editor's ``view``, a ``Read`` tool's
``     1→line``): cut it by lines, not bytes.

An agent copies the lines it saw into its next edit (``old_str``) and types the names defined
there into later calls. When such an output must shrink, the lines that carry structure and
names (``def``/``class`` signatures, assignments, imports, decorated lines) stay verbatim with
their line numbers, in file order; a ``⋮`` line marks each gap. The names defined in the lines
that went (``def name``, ``name =``, ``self.name =``) rank first in the marker's mentions.

SWE-agent's window is a file view too: a ``[File: path (N lines total)]`` header, then lines
numbered ``101:code``. A line numbered with a colon counts only under that header (a ``grep -n``
output, ``path:12:code`` or ``12:code``, is no file view). A block in tags that a tool appends
after the lines (Claude Code's ``<system-reminder>…</system-reminder>``) is not part of the
file: the view is read without it (:func:`split_tail`).
"""

from __future__ import annotations

import re
from collections import Counter

from proxy.compress import salient

NUMBERED = re.compile(r"^\s*\d+(?:\t|→)")  # ``cat -n`` (a tab) or an arrow (Claude Code's Read)
SWE_HEAD = re.compile(r"\[File: (\S[^\n]*?) \(\d+ lines total\)\][ \t]*$", re.M)  # SWE-agent's window
_SWE_NUMBERED = re.compile(r"^\s*\d+(?:\t|→|:)")  # … whose lines read ``101:code``
_CLOSE = re.compile(r"</([A-Za-z][\w-]*)>\s*\Z")  # a block in tags closing the text
GAP = "     ⋮"
_DEF = re.compile(r"^\s*(?:async\s+def|def|class|function|func|fn|pub\s+fn|interface|struct|type)\s+(\w+)")
_ASSIGN = re.compile(
    r"^\s*((?:self\.|cls\.)?[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)\s*(?::[^=\n]*)?(?:[-+*/|&]?=)(?!=)"
)
_DECOR = re.compile(r"^\s*@\w")
_IMPORT = re.compile(r"^\s*(?:from\s+\S+\s+)?import\s")
_FLOW = re.compile(r"^\s*(?:return|raise|yield|if|elif|for|while|with|try|except|assert)\b")
_NAME = re.compile(
    r"\b[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+|\b[A-Za-z]\w*_\w+|\b_\w+|\b[a-z]+[A-Z]\w*|\b[A-Z][a-z0-9]+[A-Z]\w*"
)
VIEW_HEAD = "Here's the result of running `cat -n`"  # an editor's view (str_replace_editor)
CUT_NAMES = re.compile(r"\[… ctxproxy cut \d+ tokens of [^\]\n]*?; mentions: ([^\]\n]*?)(?: …)?\]")
CUT_TOKENS = re.compile(r"\[… ctxproxy cut (\d+) tokens of [^\n]*?…\]")  # the same marker: how much it cut
_ERROR = re.compile(r"(?:Error|Exception|Warning)$")
_WORD = re.compile(r"\b[A-Za-z_]\w*\b")
_KEYWORDS = frozenset("self cls None True False".split())


def _swe(text: str) -> bool:
    """``text`` opens with SWE-agent's ``[File: path (N lines total)]`` header."""
    return text.startswith("[File: ") and SWE_HEAD.match(text) is not None


def split_tail(text: str) -> tuple[str, str]:
    """(the lines, what a tool appended after them): blocks in tags closing the text, each
    from a line that opens with its tag (``<system-reminder>`` … ``</system-reminder>``) and
    holding no numbered line, so that a file's own lines (numbered) never count as one."""
    if not text[-256:].rstrip().endswith(">"):  # the common case, at the cost of a slice
        return text, ""
    body = text
    while (m := _CLOSE.search(body, max(0, len(body) - 200))) is not None:
        start = _opening(body, m.group(1), m.start())
        if start <= 0 or any(_SWE_NUMBERED.match(s) for s in body[start:].split("\n")):
            break
        body = body[:start]
    return body, text[len(body) :]


def _opening(text: str, tag: str, end: int) -> int:
    """Where the line opening ``<tag`` (its last one before ``end``) starts; -1: none."""
    at = end
    while (at := text.rfind("<" + tag, 0, at)) >= 0:
        line = text.rfind("\n", 0, at) + 1
        if not text[line:at].strip(" \t") and text[at + len(tag) + 1 : at + len(tag) + 2] in (
            ">",
            " ",
            "\n",
            "\t",
        ):
            return line
    return -1


def is_code_view(text: str) -> bool:
    """Most lines of ``text`` open with a line number and a tab (``cat -n`` output) or an
    arrow, or with a number and a colon under SWE-agent's header; a block in tags a tool
    appended after them aside."""
    text = split_tail(text)[0]
    swe = _swe(text)
    if not swe and "\t" not in text[:1000] and "→" not in text[:1000]:
        return False
    numbered = _SWE_NUMBERED if swe else NUMBERED
    sample = text[:4000].split("\n")[:60]
    lines = [s for s in sample if s.strip() and s != GAP]
    if len(lines) < 4:
        return False
    return sum(1 for s in lines if numbered.match(s)) >= 0.6 * len(lines)


def _code(line: str) -> str:
    """A view's line without its number (only lines of a file view come here)."""
    m = _SWE_NUMBERED.match(line)
    return line[m.end() :] if m else line


def line_score(line: str) -> float:
    """How much a reader needs this line of code: structure and names score high, noise 0."""
    code = _code(line)
    stripped = code.strip()
    if (
        not stripped
        or stripped[0] in "#\"'"
        or stripped in ("pass", "else:", "try:", "finally:", ")", "]", "}")
    ):
        return 0.0
    score = 0.0
    if _DEF.match(code):
        score += 6
    elif _DECOR.match(code):
        score += 2.5
    elif _ASSIGN.match(code):
        score += 3
    elif _IMPORT.match(code):
        score += 1.5
    elif _FLOW.match(code):
        score += 1
    score += min(3.0, 0.75 * len(set(_NAME.findall(code))))
    return score


def defined_names(text: str) -> list[str]:
    """Names a piece of code defines, in order: ``def``/``class`` names, assignment targets."""
    out: list[str] = []
    for line in text.split("\n"):
        code = _code(line)
        m = _DEF.match(code) or _ASSIGN.match(code)
        if m and len(m.group(1)) >= 3 and m.group(1) not in _KEYWORDS:
            out.append(m.group(1))
    return list(dict.fromkeys(out))


def used_names(text: str) -> list[str]:
    """Compound names (``a.b``, ``snake_case``, ``_private``, ``camelCase``) in order."""
    return list(dict.fromkeys(n for n in _NAME.findall(text) if len(n) >= 4 and n not in _KEYWORDS))


def select_lines(text: str, keep_chars: int) -> tuple[str, str]:
    """(kept, dropped): the best lines of a code view within ``keep_chars``, in file order with
    ``⋮`` gap lines, and the text of the lines left out. The first line (the view's header)
    always stays; lines scoring 0 (blank, comments) fill what room is left."""
    lines = text.split("\n")
    scores = [line_score(s) for s in lines]
    order = sorted(range(1, len(lines)), key=lambda i: (-scores[i], i))
    keep = {0}
    used = len(lines[0]) + 1
    for i in order:  # the best lines first; then, room left, the others from the top
        cost = len(lines[i]) + 1 + (len(GAP) + 1) // 2
        if used + cost > keep_chars:
            continue
        keep.add(i)
        used += cost
    out: list[str] = []
    dropped: list[str] = []
    prev = -1
    for i, line in enumerate(lines):
        if i in keep:
            if i != prev + 1 and out:
                out.append(GAP)
            out.append(line)
            prev = i
        else:
            dropped.append(line)
    if prev != len(lines) - 1 and len(keep) < len(lines):
        out.append(GAP)
    return "\n".join(out), "\n".join(dropped)


def mentions(dropped: str, kept: str, limit: int) -> list[str]:
    """Names in the dropped lines not already in the kept ones, the most used first (an agent
    copies the lines it edits, and the names they use most: ``self.cols``, ``i_col``); error
    classes before all (an agent catches what it saw raised), plain words (``args``) after
    the compound names; among names used as often, defined names first."""
    dropped = salient.without_boilerplate(dropped)  # a licence comment's ``LICENSE.rst``: no name to reuse
    seen_kept = set(_NAME.findall(kept))
    defined = defined_names(dropped)
    compound = [n for n in defined if _NAME.fullmatch(n)]
    ranked = [n for n in dict.fromkeys(compound + used_names(dropped) + defined) if n not in seen_kept]
    uses = Counter(_NAME.findall(dropped))
    words = Counter(_WORD.findall(dropped))

    def rank(n: str) -> tuple[bool, bool, int]:  # a plain word (``args``) after the others
        return (not _ERROR.search(n), not _NAME.fullmatch(n), -max(uses[n], words[n]))

    return sorted(ranked, key=rank)[:limit]


def view_names(text: str, limit: int) -> list[str] | None:
    """What a reader of a file view re-uses, best first: the file it shows (its first line),
    then up to ``limit`` names: the compound names its code defines first (``temp_pgpass``,
    ``self.cols``), then the others it uses (``signal.getsignal``), then its plain defined
    names. A view already cut to a few lines lists its cut marker's names. ``None``: ``text``
    is no file view."""
    text = split_tail(text)[0]
    head = text.split("\n", 1)[0]
    numbered = NUMBERED.match(head) is not None  # no header line (a ``Read`` tool's output)
    if is_code_view(text):
        names = mentions(salient.scan_window(text), "", limit)
    elif (numbered or head.startswith(VIEW_HEAD) or _swe(head)) and (
        cut := CUT_NAMES.search(text)
    ) is not None:
        names = [a for a in cut.group(1).split(", ") if a][:limit]
    else:
        return None
    return ([] if numbered else [p for p in salient.artifacts(head, limit=2) if "/" in p]) + names
