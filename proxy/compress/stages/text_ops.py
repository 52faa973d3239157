"""Text surgery shared by stages: cut a text to a token size with a marker.

A file view with line numbers (:mod:`proxy.compress.code_view`) loses whole lines, its
defining lines staying; any other text loses its middle (head 60 %, tail 40 % stay)."""

from __future__ import annotations

import re
from collections.abc import Callable

from proxy.compress import code_view, salient
from proxy.compress.focus import names_first

MENTIONS = 64  # names a cut part's marker lists at most …
VIEW_MENTIONS = 256  # … a cut file view's (an index of the names in the lines left out) …
VIEW_INDEX_SHARE = 0.2  # … in up to this share of the view's characters, whatever room is left
MENTION_SHARE = 0.3  # of the characters kept: the marker's name list takes at most this …
MENTION_FLOOR = 1200  # … or this many characters (about 60 names), whichever is more
_MARKER = 80  # characters of the marker without its mentions
SNAP_LINE = 160  # a cut's edge moves to a line break this near (and within a tenth of its part) …
SNAP_WORD = 24  # … else to a space this near: no name is cut in two
VIEW_MAX_CHARS = 100_000  # a larger file view is cut by head and tail (scoring its lines costs)


_TAG = re.compile(r"^[ \t]*<([A-Za-z][\w-]*)[\s>]", re.M)  # the blocks a tool appended to a view
_LOCATION = re.compile(r"(?<![\w./~-])((?:~?/)?(?:[\w.-]+/)*[\w.-]+\.[A-Za-z]{1,5}):(\d+)(?=[:\s,)]|$)", re.M)


def locations(text: str) -> list[str]:
    """The ``path:line`` places an output names (``grep -n``, a compiler's or a linter's
    report), one entry per file with its lines in text order: ``astropy/io/fits/header.py:330,380``
    (an agent goes back to those lines); a run of three or more consecutive lines is a range
    (``log.py:10-59``: every line of a stretch says no more than its ends)."""
    lines: dict[str, list[int]] = {}
    for m in _LOCATION.finditer(text):
        at = lines.setdefault(m.group(1), [])
        if int(m.group(2)) not in at:
            at.append(int(m.group(2)))
    return [f"{path}:{_runs(nums)}" for path, nums in lines.items()]


def _runs(nums: list[int]) -> str:
    """``1,2,3,4,9`` → ``1-4,9``: runs of three or more consecutive numbers as ranges."""
    out: list[str] = []
    i = 0
    while i < len(nums):
        j = i
        while j + 1 < len(nums) and nums[j + 1] == nums[j] + 1:
            j += 1
        if j - i >= 2:
            out.append(f"{nums[i]}-{nums[j]}")
        else:
            out += [str(n) for n in nums[i : j + 1]]
        i = j + 1
    return ",".join(out)


def _names_mentions(label: str) -> bool:
    return label == "content" or label.endswith(" output")


def _fit(names: list[str], chars: int) -> list[str]:
    """The first of ``names`` whose list takes at most ``chars`` characters."""
    out: list[str] = []
    used = 0
    for name in names:
        used += len(name) + 2
        if used > chars:
            break
        out.append(name)
    return out


def _spare(names: list[str], names_room: int, room: int) -> int:
    """Characters reserved for the names list that it left unused (0 when it used them)."""
    used = sum(len(n) + 2 for n in names)
    return max(0, min(names_room, room // 2) - used)


def _nearest(text: str, chars: str, at: int, reach: int) -> int:
    """Index of the one of ``chars`` nearest ``at`` within ``reach`` (-1: none)."""
    lo, hi = max(0, at - reach), min(len(text), at + reach + 1)
    back = max(text.rfind(c, lo, at + 1) for c in chars)
    ahead = [i for c in chars if (i := text.find(c, at, hi)) >= 0]
    fwd = min(ahead) if ahead else -1
    if back < 0 or (fwd >= 0 and fwd - at < at - back):
        return fwd
    return back


def _snap(text: str, at: int, reach: int) -> int:
    """The line break nearest ``at`` (within a tenth of ``reach``, at most ``SNAP_LINE``), else
    the space or tab nearest it (within ``SNAP_WORD``); ``at`` itself when there is none."""
    line = _nearest(text, "\n", at, min(reach // 10, SNAP_LINE))
    if line >= 0:
        return line
    space = _nearest(text, " \t", at, SNAP_WORD)
    return space if space >= 0 else at


def _edges(text: str, head: int, tail: int) -> tuple[int, int]:
    """Where a cut keeping about ``head`` characters at the start and ``tail`` at the end ends
    its head and starts its tail: at a line break, else at a space, whichever is nearest (a name
    cut in two reads as another name; the marker starts a line of its own)."""
    end, start = head, len(text) - tail
    if head <= 0 or tail <= 0 or end >= start:
        return end, start
    snapped_end = _snap(text, end, head)
    snapped_start = _snap(text, start - 1, tail) + 1
    if 0 < snapped_end < snapped_start <= len(text):
        return snapped_end, snapped_start
    return end, start


def cut_middle(
    text: str, keep_tokens: int, tokens: int, label: str = "content", focus: frozenset[str] = frozenset()
) -> str:
    """``text`` in about ``keep_tokens`` tokens, with a marker where it was cut; it ends in
    whitespace only if ``text`` does (an assistant prefill may not: Anthropic rejects it).
    See :func:`_cut_middle`."""
    out = _cut_middle(text, keep_tokens, tokens, label, focus)
    return out if text[-1:].isspace() else out.rstrip()


def _cut_middle(
    text: str, keep_tokens: int, tokens: int, label: str = "content", focus: frozenset[str] = frozenset()
) -> str:
    """``text`` in about ``keep_tokens`` tokens, with a marker where it was cut.

    A file view keeps its header and its most telling lines with their numbers (see
    :func:`proxy.compress.code_view.select_lines`); other text keeps its head (60 %) and tail
    (40 %). Cutting a message or a tool output, the marker names what the cut part mentioned
    (defined names first in code; paths, identifiers, error names, numbers otherwise), in at
    most ``MENTION_SHARE`` of the room, as a masked output's placeholder does: an agent often
    needs them later. A file view's marker is an index of its lines left out: up to
    ``VIEW_MENTIONS`` names in ``VIEW_INDEX_SHARE`` of the view, whatever room is left. The
    names of the cut part that share a word with the task (``focus``) are listed first
    (:mod:`proxy.compress.focus`); after the names, the ``path:line`` places the cut part
    named (:func:`locations`)."""
    if tokens <= keep_tokens or not text:
        return text
    chars_per_token = max(1.0, len(text) / max(tokens, 1))
    room = int(keep_tokens * chars_per_token)
    names_room = max(MENTION_FLOOR, int(room * MENTION_SHARE)) if _names_mentions(label) else 0
    keep_chars = max(0, room - _MARKER - min(names_room, room // 2))
    if _names_mentions(label) and len(text) <= VIEW_MAX_CHARS and code_view.is_code_view(text):
        # A file view cut deep still lists the names of the lines it lost (an agent types
        # `i_col`, `image.append` from a view it read turns ago): up to a fifth of its size,
        # even where that lands the cut over the size asked for.
        names_room = max(names_room, int(VIEW_INDEX_SHARE * len(text)))
        # a block in tags the tool appended (``<system-reminder>``) is no line of the file:
        # it goes with the cut, named in the marker, and lends no names to it
        view, appended = code_view.split_tail(text)
        kept, dropped = code_view.select_lines(view.rstrip("\n"), keep_chars)
        names = _fit(code_view.mentions(dropped, kept, VIEW_MENTIONS), names_room)
        spare = _spare(names, names_room, room)
        if spare:  # the names took less than their room: more lines stay instead
            kept, dropped = code_view.select_lines(view.rstrip("\n"), keep_chars + spare)
            names = _fit(code_view.mentions(dropped, kept, VIEW_MENTIONS), names_room)
        mentions = f"; mentions: {', '.join(names)}" if names else ""
        tags = ", ".join(f"<{t}>" for t in _TAG.findall(appended))
        what = f"{label} and the {tags} after it" if tags else label
        what = f"{what}, ⋮ marks lines left out" if "\n" + code_view.GAP in kept else what
        return f"{kept}\n[… ctxproxy cut {tokens - keep_tokens} tokens of {what}{mentions} …]\n"
    end, start = _edges(text, int(keep_chars * 0.6), int(keep_chars * 0.4))
    head, middle, tail = text[:end], text[end:start], text[start:]  # (no room: no head, no tail)
    found: list[str] = []
    if _names_mentions(label):
        found = salient.artifacts(middle, limit=MENTIONS, whole=True)
        have = set(found)  # then the code names artifacts miss: `_private`, `a.b`
        found += [n for n in code_view.used_names(salient.scan_window(middle)) if n not in have]
        # a listing's names of the task first (``test_header`` of a task on ``Header``), then
        # the ``path:line`` places the cut part named
        found = [*names_first(found, middle, focus, MENTIONS), *locations(salient.scan_window(middle))]
    found = _fit(found, names_room)
    spare = _spare(found, names_room, room)
    if spare:  # the names took less than their room: more of the head and tail stay instead
        keep_chars += spare
        end, start = _edges(text, int(keep_chars * 0.6), int(keep_chars * 0.4))
        head, tail = text[:end], text[start:]
    mentions = f"; mentions: {', '.join(found)}" if found else ""
    marker = f"\n[… ctxproxy cut {tokens - keep_tokens} tokens of {label}{mentions} …]\n"
    return head + marker + tail


def shrink_to(
    text: str,
    keep_tokens: int,
    count: Callable[[str], int],
    label: str = "content",
    focus: frozenset[str] = frozenset(),
) -> str:
    """:func:`cut_middle` repeated until the result counts at most ``keep_tokens`` (≤3 tries)."""
    tokens = count(text)
    out = text
    goal = keep_tokens
    for _ in range(3):
        out = cut_middle(text, goal, tokens, label, focus)
        n = count(out)
        if n <= keep_tokens:
            return out
        goal = max(0, goal - (n - keep_tokens) - 8)
    return out
