"""The dense digest: what the offline summarizer writes for a dropped span.

Layout (one entry a line; entries are never rewritten except by the hierarchy)::

    [ctxproxy: summary of earlier conversation] Digest, oldest first: [date] speaker: facts …
    - [3 March 2024] Dana: took up cello four years ago; plays Thursdays | Sam: not since 2019
    - [wk 11 March 2024] Dana: moved Leeds | Sam: …        ← an older week, compacted
    - user: fix deploy script, fails staging | assistant: execute_bash ./deploy.sh → 12 lines
    Artifacts: /srv/app/deploy.py, …
    (41 messages compacted)

How the parts fit: :mod:`digest_units` turns the dropped span into attributed, dated units;
:mod:`digest_entries` selects units by new information per token and writes them as lines;
:mod:`digest_hierarchy` compacts the oldest lines when the digest outgrows its budget. This
module assembles the summary: the previous lines (byte for byte while there is room), the new
span's lines, the artifact trail and the count.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Set

from proxy.compress import code_view, salient
from proxy.compress.chat_lines import stamped_lines
from proxy.compress.dates import format_date, line_stamp
from proxy.compress.digest_entries import (
    Entry,
    Measure,
    Previous,
    entries_tokens,
    parse_entry,
    parse_previous,
    render_units,
    select,
)
from proxy.compress.digest_hierarchy import compact_oldest, merge
from proxy.compress.digest_units import PROXY_MARK, last_day, make_units
from proxy.compress.focus import names_first
from proxy.compress.speakers import speaker_prefix, without_prefix
from proxy.compress.summarizer import DroppedMessage, SummaryRequest
from proxy.compress.summary_format import MAX_ARTIFACTS, SUMMARY_HEADER, artifacts_line, count_line
from proxy.compress.units import Unit, clip_words, content_words, estimate_tokens

__all__ = [
    "HEADER",
    "Entry",
    "Previous",
    "build_summary",
    "compact_oldest",
    "last_day",
    "make_units",
    "merge",
    "parse_entry",
    "parse_previous",
    "render",
    "select",
]

HEADER = f"{SUMMARY_HEADER} Digest, oldest first: [date] speaker: facts (| separates turns)."
DENSITY = 0.3  # digest tokens per raw token of a well-covered span (sizes older entries' share)
PLACEHOLDER_TRAIL = 64  # names the trail takes from a mask placeholder (a plain message: 8)
VIEW_TRAIL = 64  # … and from a file view folded unmasked
OUTPUT_TRAIL = 16  # … and from any other tool output
TOOL_TRAIL_SHARE = 0.75  # of a digest folding tool outputs, the trail takes at most this share
MENTIONS = "; mentions: "


def render(entries: list[Entry], artifacts: list[str], count: int) -> str:
    parts = [HEADER, *(e.line for e in entries)]
    if artifacts:
        parts.append(artifacts_line(artifacts))
    parts.append(count_line(count))
    return "\n".join(parts)


def _who(msg: DroppedMessage) -> str:
    if msg.speaker:
        return msg.speaker
    return f"tool {msg.tool_name}" if msg.tool_name else msg.role


def new_entries(
    dropped: tuple[DroppedMessage, ...],
    units: list[Unit],
    weights: dict[str, float],
    covered: Counter[str],
    allowance: int,
    start_day: dt.date | None = None,
) -> tuple[list[Entry], bool]:
    """Lines for a newly dropped span (never none when something was dropped), and whether
    some of its units were left out."""
    chosen = select(units, allowance, weights, Counter(covered))
    if not chosen and units:
        chosen = [min(units, key=lambda u: (u.cost, u.pos))]
    new = render_units(chosen)
    if not new and dropped:
        new = [_first_said(dropped[0], start_day)]
    return new, len(chosen) < len(units)


def _first_said(msg: DroppedMessage, day: dt.date | None) -> Entry:
    """The line for a span that gave no unit (a chat of fillers, ``lol``, ``ok``): its first
    message's first said line, dated and attributed as any line is (a stamp is no content)."""
    rest = msg.text
    for found, said in stamped_lines(msg.text.split("\n")):
        day = found or day
        if said.strip():
            rest = said
            break
    prefix = speaker_prefix(rest)
    who = msg.speaker or prefix
    if who and prefix == who:
        rest = without_prefix(rest)
    label = format_date(day) if day else None
    return Entry(label, f"{who or _who(msg)}: {' '.join(rest.split())[:200]}")


def _memo(count_tokens: Measure | None) -> Measure:
    if count_tokens is None:
        return estimate_tokens
    memo: dict[str, int] = {}

    def measure(text: str) -> int:
        n = memo.get(text)
        if n is None:
            n = memo[text] = count_tokens(text)
        return n

    return measure


def _calibrate(units: list[Unit], count_tokens: Measure) -> None:
    """Unit costs: the character estimate, calibrated on a sample against the real count."""
    step = max(1, len(units) // 48)
    sample = " ; ".join(u.text for u in units[::step])
    ratio = max(1.0, min(2.5, estimate_tokens(sample) / max(1, count_tokens(sample))))
    for u in units:
        u.cost = int(u.cost / ratio) + 1


def _placeholder_names(text: str) -> list[str]:
    """The names a placeholder the mask stage wrote lists (``; mentions: a, b]``), best first:
    a file view's defined and dotted names (``signal.getsignal``) as the stage ranked them."""
    if not text.startswith(PROXY_MARK) or MENTIONS not in text:
        return []
    listed = text[text.index(MENTIONS) + len(MENTIONS) :].rstrip().removesuffix("]")
    return [a.strip() for a in listed.split(", ") if a.strip()][:PLACEHOLDER_TRAIL]


def output_names(msg: DroppedMessage, focus: frozenset[str] = frozenset()) -> list[str]:
    """The names a folded tool output leaves on the trail, best first: a placeholder's list; a
    file view's file and names (its compound defined names first); any other output's paths
    and ids, then the code names it uses (``cards.append``, ``Card.length``). Empty for any
    other message (its artifacts go on the trail, without room of their own). An output's
    names that share a word with the task (``focus``) come first (:mod:`proxy.compress.focus`)."""
    if msg.role != "tool":
        return []
    names = _placeholder_names(msg.text) or code_view.view_names(msg.text, VIEW_TRAIL)
    if names is None:
        names = salient.artifacts(msg.text, limit=8, numbers=False)
        names += code_view.used_names(salient.scan_window(msg.text))
        names = names_first(list(dict.fromkeys(names)), msg.text, focus, OUTPUT_TRAIL)
    return names


def span_names(
    dropped: tuple[DroppedMessage, ...], focus: frozenset[str] = frozenset(), seen: Set[str] = frozenset()
) -> list[str]:
    """The names the tool outputs of a span leave on the trail, each once, in order (none of
    ``seen``: the names a span already had, when it grows)."""
    return list(dict.fromkeys(a for m in dropped for a in output_names(m, focus) if a not in seen))


def names_tokens(names: list[str], measure: Measure = estimate_tokens) -> int:
    """Tokens of a list of trail names as the trail writes them."""
    return measure(", ".join(names)) if names else 0


def names_need(
    dropped: tuple[DroppedMessage, ...],
    measure: Measure = estimate_tokens,
    focus: frozenset[str] = frozenset(),
) -> int:
    """Tokens the trail needs for the tool outputs of a span: a summary's budget adds them."""
    return names_tokens(span_names(dropped, focus), measure)


def _trail(prev: Previous, dropped: tuple[DroppedMessage, ...], focus: frozenset[str]) -> list[list[str]]:
    """The trail in parts, oldest first: the previous summary's names, then each dropped
    message's own (best first), each name once, at most ``MAX_ARTIFACTS`` in all."""
    parts = [list(prev.artifacts)]
    seen = set(parts[0])
    for msg in dropped:
        new = output_names(msg, focus) or salient.artifacts(_unstamped(msg.text), limit=8, numbers=False)
        parts.append([a for a in dict.fromkeys(new) if a not in seen])
        seen.update(parts[-1])
    over, first = sum(map(len, parts)) - MAX_ARTIFACTS, 0
    while over > 0:
        first, gone = _trim(parts, over, first)
        if not gone:
            break
        over -= gone
    return parts


def _unstamped(text: str) -> str:
    """The part of a message the trail scans, its lines' stamps left out: a stamp is never
    content (``[2023-05-08 13:56] Caroline: …`` puts no ``2023-05-08`` on the trail)."""
    return "\n".join(line_stamp(line)[1] for line in salient.artifact_window(text).split("\n"))


def _trim(parts: list[list[str]], n: int, start: int = 0) -> tuple[int, int]:
    """Drop ``n`` names of the oldest part that has any (none before ``start`` has): the
    previous summary's from its start (its oldest), a dropped output's from its end (its least
    telling: an output's names are ranked best first). Returns that part's index and how many
    names went (fewer than ``n`` when it had fewer)."""
    for i in range(start, len(parts)):
        part = parts[i]
        if part:
            parts[i] = part[n:] if i == 0 else part[: max(0, len(part) - n)]
            return i, len(part) - len(parts[i])
    return len(parts), 0


def build_summary(request: SummaryRequest, count_tokens: Measure | None = None) -> str:
    """The previous digest with lines for ``request.dropped`` appended, within ``max_tokens``.

    ``count_tokens``: the real token count (else a high character estimate is used).
    """
    measure = _memo(count_tokens)
    prev = parse_previous(request.previous)
    budget = max(64, request.max_tokens)
    start_day = next((d for e in reversed(prev.entries) if e.level() == 0 and (d := e.day())), None)
    start_day = start_day or request.start_day  # else the date the kept messages before it set
    known = frozenset(who for e in prev.entries for who, _ in e.turns() if who)
    units, weights = make_units(request.dropped, start_day, known)
    if count_tokens is not None and units:
        _calibrate(units, count_tokens)
    covered: Counter[str] = Counter()
    for e in prev.entries:
        covered.update(content_words(e.body))

    parts = _trail(prev, request.dropped, request.focus)
    arts = [a for part in parts for a in part]
    total = prev.count + len(request.dropped)
    fixed = measure(render([], [], total)) + 2
    trail = measure(artifacts_line(arts)) if arts else 0
    # The trail never takes over the digest: half of it, three quarters when tool outputs
    # were folded (their lines say little; the names they leave are what an agent types later).
    share = TOOL_TRAIL_SHARE if any(m.role == "tool" for m in request.dropped) else 0.5
    first = 0
    while arts and trail > int((budget - fixed) * share):
        # the oldest output's names go first, a few at a time
        first, _ = _trim(parts, max(1, len(arts) // 8), first)
        arts = [a for part in parts[first:] for a in part]
        trail = measure(artifacts_line(arts)) if arts else 0
    room = max(8, budget - fixed - trail)

    old = entries_tokens(prev.entries, measure)
    span = sum(estimate_tokens(m.text) for m in request.dropped)
    fair = int(room * span / max(1, span + old / DENSITY))
    headroom = room - old
    # Append without touching the older lines when the headroom holds half the new span's fair
    # share; else compact the oldest lines, a quarter of the room further than needed, so
    # that the next compactions can append byte-stable again.
    allowance = max(headroom if headroom >= fair // 2 else fair, 8)
    slack = room // 4 if prev.entries and allowance > headroom else 0

    goal = allowance
    best: tuple[list[Entry], int] | None = None  # the fullest try that fits
    for _ in range(4):
        new, more = new_entries(request.dropped, units, weights, covered, goal, start_day)
        size = entries_tokens(new, measure)
        if size <= allowance and (best is None or size > best[1]):
            best = (new, size)
        if size > allowance and len(new) > 1:
            goal -= size - allowance + 2  # the framing (labels, speakers) costs too
        elif size < 0.98 * allowance and more and count_tokens is not None:
            goal += allowance - size  # the calibrated costs were high: fill the room
        else:
            break
    if size > allowance and best is not None:
        new, size = best
    if size > allowance and len(new) > 1:  # still over after the last try: the oldest new lines give
        new = compact_oldest(new, allowance, measure)
        size = entries_tokens(new, measure)
    old_lines = compact_oldest(prev.entries, room - size - slack, measure) if prev.entries else []
    entries = compact_oldest([*old_lines, *new], room, measure)
    text = render(entries, arts, total)
    real = measure(text)
    if real > budget:
        entries = compact_oldest(entries, room - (real - budget) - 2, measure)
        text = render(entries, arts, total)
    return _fit(text, budget, measure)


def _fit(text: str, budget: int, measure: Measure) -> str:
    """``text`` within ``budget`` tokens, cut at a word when even the compacted digest is over
    (a tiny budget: the header, the count and one line do not fit)."""
    chars = int(budget * 3.2)
    for _ in range(8):
        real = measure(text)
        if real <= budget:
            return text
        text = clip_words(text, min(chars, len(text) * budget // real))
        chars = len(text) - 1
    return text
