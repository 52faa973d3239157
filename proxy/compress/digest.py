"""The dense digest: what the offline summarizer writes for a dropped span.

Layout (one entry a line; entries are never rewritten except by the hierarchy below)::

    [ctxproxy: summary of earlier conversation] Digest, oldest first: [date] speaker: facts …
    - [3 Mar 2024] Dana: took up cello four years ago; plays Thursdays | Sam: not since 2019
    - [wk 11 Mar 2024] Dana: moved Leeds | Sam: …        ← an older week, compacted
    - user: fix deploy script, fails staging | tool run: KeyError 'REGION' /srv/app/deploy.py
    Artifacts: /srv/app/deploy.py, …
    (41 messages compacted)

- **Selection.** Units (sentences or clauses, :mod:`units`) are chosen greedily by *new*
  information per token: the IDF weight (over the span's messages) of their content words,
  each word discounted by ``PENALTY`` for every time the digest already holds it. The whole
  span competes, so the digest covers all of it rather than its loudest part.
- **Attribution.** Every line starts with the date in force (a session date or timestamp
  found at the start of a message) and every turn with its speaker.
- **Incremental.** A new compaction appends lines for the newly dropped span; the lines
  already there keep their bytes. When the digest outgrows its budget, the *oldest* lines are
  compacted into coarser ones — one line per day, then per week (``wk``), then per month —
  re-selecting their units by the same rule at half the size; newer lines are left alone.
"""

from __future__ import annotations

import datetime as dt
import heapq
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from proxy.compress import salient
from proxy.compress.summarizer import DroppedMessage, SummaryRequest
from proxy.compress.summary_format import (
    MAX_ARTIFACTS,
    SUMMARY_HEADER,
    artifacts_line,
    count_line,
    parse_summary,
)
from proxy.compress.units import (
    Unit,
    condense,
    content_words,
    estimate_tokens,
    find_speakers,
    format_date,
    header_date,
    idf_weights,
    parse_date,
    speaker_prefix,
    split_units,
)

HEADER = f"{SUMMARY_HEADER} Digest, oldest first: [date] speaker: facts (| separates turns)."
PENALTY = 0.3  # weight left to a word for each time the digest already holds it
DENSITY = 0.3  # digest tokens per raw token of a well-covered span (sizes older entries' share)
TOLERANCE = 0.9  # lazy greedy: a re-scored unit within 10 % of the best bound is taken
_DISCOUNT = [PENALTY**k for k in range(5)]  # after four copies a word weighs no less
PROXY_MARK = "[ctxproxy:"  # a placeholder an earlier stage wrote (masked or duplicate output)
PLACEHOLDER_WEIGHT = 0.4  # its mentions are mostly on the artifact trail already
INSTRUCTION_WEIGHT = 2.0  # a user message in a tool loop is an instruction: weighs more
_UNIT_FIXED = 4  # tokens added to a unit's cost when ranking: tiny fragments rank lower
LINE_CHARS = 480  # a line is closed after this many characters
_MONTH_LABEL = re.compile(r"^[A-Z][a-z]{2} \d{4}$")


# -- entries ------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Entry:
    """One digest line: an optional date label and its turns ``Speaker: unit; unit | …``."""

    label: str | None
    body: str

    @property
    def line(self) -> str:
        return f"- [{self.label}] {self.body}" if self.label else f"- {self.body}"

    def level(self) -> int:
        """0 day, 1 week, 2 month, 3 undated ("earlier") or unknown."""
        if self.label is None or self.label == "earlier":
            return 3
        if self.label.startswith("wk "):
            return 1
        return 2 if _MONTH_LABEL.match(self.label) else 0

    def day(self) -> dt.date | None:
        if self.label is None:
            return None
        if self.label.startswith("wk "):
            return parse_date(self.label[3:])
        if _MONTH_LABEL.match(self.label):
            return parse_date("1 " + self.label)
        return parse_date(self.label)

    def turns(self) -> list[tuple[str, list[str]]]:
        out = []
        for part in self.body.split(" | "):
            who, sep, what = part.partition(": ")
            if not sep:
                who, what = "", part
            out.append((who, [u for u in what.split("; ") if u]))
        return out


def parse_entry(line: str) -> Entry:
    rest = line[2:]
    if rest.startswith("[") and "] " in rest:
        label, body = rest[1:].split("] ", 1)
        return Entry(label, body)
    return Entry(None, rest)


@dataclass(slots=True)
class Previous:
    entries: list[Entry]
    artifacts: list[str]
    count: int


def parse_previous(text: str | None) -> Previous:
    """Entries, artifacts and message count of a previous summary (any earlier format too)."""
    parts = parse_summary(text)
    prev = Previous([], parts.artifacts, parts.count)
    for line in parts.lines:
        if line.startswith("- "):
            prev.entries.append(parse_entry(line))
        elif line.strip():  # a line of another summarizer's format: kept as an undated entry
            prev.entries.append(Entry("earlier", line.strip()))
    return prev


# -- units of the dropped span ------------------------------------------------------------------
def _who(msg: DroppedMessage) -> str:
    if msg.speaker:
        return msg.speaker
    return f"tool {msg.tool_name}" if msg.tool_name else msg.role


Measure = Callable[[str], int]


def _parts(msg: DroppedMessage) -> list[str]:
    """A message cut where a line opens a new session (a dated header line) or a new speaker's
    turn (``Name:``): clients that merge consecutive turns (Anthropic, Gemini) still get
    their dates and speakers right. Tool output stays whole."""
    text = msg.text
    if msg.role == "tool" or "\n" not in text:
        return [text]
    parts: list[str] = []
    start = 0
    pos = 0
    for line in text.split("\n"):
        if pos > start and len(line) <= 120:
            head = line.lstrip()[:1]
            dated = (head in "[(<#*" or head.isdigit()) and parse_date(line) is not None
            if dated or speaker_prefix(line):
                parts.append(text[start:pos])
                start = pos
        pos += len(line) + 1
    parts.append(text[start:])
    return [p for p in parts if p.strip()]


def last_day(messages: tuple[DroppedMessage, ...]) -> dt.date | None:
    """The date in effect after ``messages``: the last dated header line among them."""
    day = None
    for msg in messages:
        if msg.role == "tool":
            continue
        for part in _parts(msg):
            day = header_date(part)[0] or day
    return day


def make_units(
    dropped: tuple[DroppedMessage, ...],
    start_day: dt.date | None,
    known: frozenset[str] = frozenset(),
    measure: Measure = estimate_tokens,
) -> tuple[list[Unit], dict[str, float]]:
    """Units of the span, attributed and condensed, and the IDF weights of their words."""
    pieces = [(mi, msg, part) for mi, msg in enumerate(dropped) for part in _parts(msg)]
    texts = [header_date(part)[1] for _, msg, part in pieces if msg.role != "tool"]
    names = find_speakers(texts) | known
    agentic = any(m.role == "tool" for m in dropped)  # a tool loop: the user's words instruct
    units: list[Unit] = []
    docs: dict[int, set[str]] = {}
    day = start_day
    last_who: dict[int, str] = {}
    for mi, msg, part in pieces:
        found, text = header_date(part)
        day = found or day
        who = last_who.get(mi) or _who(msg)
        if msg.role != "tool" and not msg.speaker:
            prefix = speaker_prefix(text)
            if prefix and prefix in names:
                who = last_who[mi] = prefix
                text = text[text.index(":") + 1 :].lstrip()
        doc = docs.setdefault(mi, set())
        placeholder = text.startswith(PROXY_MARK)
        for k, sentence in enumerate(split_units(text)):
            short = condense(sentence)
            words = tuple(dict.fromkeys(content_words(short)))
            if not words:
                continue
            doc.update(words)
            required = msg.required and (k == 0 or sentence.rstrip().endswith("?"))
            if required:
                short = " ".join(sentence.split())[:300].replace("|", "/").replace(";", ",")
            unit = Unit(len(units), mi, who, day, short, words, measure(short) + 1, required)
            if placeholder:
                unit.weight = PLACEHOLDER_WEIGHT
            elif agentic and msg.role == "user":
                unit.weight = INSTRUCTION_WEIGHT
            units.append(unit)
    return units, idf_weights(list(docs.values()))


def select(units: list[Unit], allowance: int, weights: dict[str, float], covered: Counter[str]) -> list[Unit]:
    """Greedy (lazy) choice by new information per token; ``covered`` is updated in place."""

    def gain(u: Unit) -> float:
        return u.weight * sum(weights.get(w, 0.0) * _DISCOUNT[min(covered.get(w, 0), 4)] for w in u.words)

    chosen = [u for u in units if u.required]
    remaining = allowance - sum(u.cost for u in chosen)
    for u in chosen:
        covered.update(u.words)
    heap = [(-gain(u) / (u.cost + _UNIT_FIXED), u.pos) for u in units if not u.required]
    heapq.heapify(heap)
    smallest = min((u.cost for u in units), default=1)
    while heap and remaining >= smallest:
        _, pos = heapq.heappop(heap)
        u = units[pos]
        if u.cost > remaining:
            continue
        priority = gain(u) / (u.cost + _UNIT_FIXED)
        if priority <= 0:
            break
        if heap and priority < -heap[0][0] * TOLERANCE:  # stale: others may now be better
            heapq.heappush(heap, (-priority, pos))
            continue
        chosen.append(u)
        remaining -= u.cost
        covered.update(u.words)
    chosen.sort(key=lambda u: u.pos)
    return chosen


def render_units(chosen: list[Unit]) -> list[Entry]:
    """Lines of chosen units: one per date (split when long), turns joined by `` | ``."""
    entries: list[Entry] = []
    label: str | None = None
    turns: list[tuple[str, list[str]]] = []
    size = 0

    def close() -> None:
        if turns:
            body = " | ".join(f"{who}: {'; '.join(texts)}" for who, texts in turns)
            entries.append(Entry(label, body))
            turns.clear()

    for u in chosen:
        lab = format_date(u.day) if u.day else None
        if lab != label or size > LINE_CHARS:
            close()
            label, size = lab, 0
        if turns and turns[-1][0] == u.speaker:
            turns[-1][1].append(u.text)
        else:
            turns.append((u.speaker, [u.text]))
        size += len(u.text) + 2
    close()
    return entries


# -- the hierarchy: compact the oldest lines ----------------------------------------------------
def _coarser(entry: Entry) -> tuple[str, str]:
    """(group key, label) one level up: day → week → month → earlier.

    Days of one ISO week share a key; the week line is labelled with its first day
    (``wk 3 Mar 2024``), a month line with its month (``Mar 2024``).
    """
    level, day = entry.level(), entry.day()
    if day is None or level >= 2:
        return "earlier", "earlier"
    if level == 0:
        year, week, _ = day.isocalendar()
        return f"w{year}-{week}", "wk " + format_date(day)
    return f"m{day.year}-{day.month}", format_date(day).split(" ", 1)[1]


def merge(entries: list[Entry], label: str, goal_tokens: int, measure: Measure = estimate_tokens) -> Entry:
    """One line standing for ``entries``: their units re-selected to about ``goal_tokens``."""
    pieces: list[tuple[str, str]] = []
    for e in entries:
        for who, texts in e.turns():
            pieces.extend((who, t) for t in texts)
    units = [
        Unit(i, i, who, None, text, tuple(dict.fromkeys(content_words(text))), measure(text) + 1)
        for i, (who, text) in enumerate(pieces)
    ]
    weights = idf_weights([set(u.words) for u in units])
    chosen = select([u for u in units if u.words] or units[:1], goal_tokens, weights, Counter())
    if not chosen and units:
        chosen = [units[0]]
    order: list[str] = []
    by_who: dict[str, list[str]] = {}
    for u in chosen:
        if u.speaker not in by_who:
            order.append(u.speaker)
            by_who[u.speaker] = []
        by_who[u.speaker].append(u.text)
    body = " | ".join(f"{who}: {'; '.join(by_who[who])}" if who else "; ".join(by_who[who]) for who in order)
    return Entry(label, body)


def _tokens(entries: list[Entry], measure: Measure = estimate_tokens) -> int:
    return sum(measure(e.line) + 1 for e in entries)  # + its newline


def _oldest_run(entries: list[Entry]) -> tuple[int, int, str]:
    """(start, end, label) of the oldest run of lines to merge into one coarser line.

    The oldest run of two or more lines of the same day (→ that day), else of the same week
    (days → ``wk``), month (weeks → month) or undated lines (→ ``earlier``, a quarter of the
    lines at most); with no run anywhere, the two oldest lines merge one level up.
    """
    limit = max(2, len(entries) // 4)
    for i in range(len(entries) - 1):
        e, nxt = entries[i], entries[i + 1]
        if e.level() == 0 and nxt.label == e.label:
            j = i + 1
            while j < len(entries) and entries[j].label == e.label:
                j += 1
            return i, j, e.label or ""
        key, label = _coarser(e)
        if nxt.level() == e.level() and _coarser(nxt)[0] == key:
            j = i + 1
            while j < len(entries) and entries[j].level() == e.level() and _coarser(entries[j])[0] == key:
                j += 1
                if key == "earlier" and j - i >= limit:
                    break
            return i, j, label
    # No run anywhere: the oldest line absorbs the next one, one level up (nothing is dropped
    # while two lines are left).
    return 0, min(2, len(entries)), _coarser(entries[0])[1]


def compact_oldest(entries: list[Entry], budget: int, measure: Measure = estimate_tokens) -> list[Entry]:
    """Coarsen the oldest lines until the digest fits ``budget`` tokens (newer lines untouched)."""
    entries = list(entries)
    for _ in range(10_000):
        total = _tokens(entries, measure)
        if not entries or total <= budget:
            break
        if budget <= 0:  # no room at all: the oldest lines go
            entries = entries[1:]
            continue
        start, end, label = _oldest_run(entries)
        group = entries[start:end]
        size = _tokens(group, measure)
        goal = max(8, min(size // 2, size - (total - budget)))
        merged = merge(group, label, goal, measure)
        if len(group) == 1 and (merged == group[0] or measure(merged.line) >= size):
            if len(entries) == 1:  # one line left, too big: cut it
                keep = max(16, int(budget * 3.2) - 8)
                return [Entry(merged.label, merged.body[:keep])]
            entries = entries[1:]  # the oldest line cannot shrink: it goes
            continue
        entries = [*entries[:start], merged, *entries[end:]]
    return entries


# -- the whole summary --------------------------------------------------------------------------
def render(entries: list[Entry], artifacts: list[str], count: int) -> str:
    parts = [HEADER, *(e.line for e in entries)]
    if artifacts:
        parts.append(artifacts_line(artifacts))
    parts.append(count_line(count))
    return "\n".join(parts)


def _new_lines(
    dropped: tuple[DroppedMessage, ...],
    units: list[Unit],
    weights: dict[str, float],
    covered: Counter[str],
    allowance: int,
) -> tuple[list[Entry], bool]:
    """Lines for a newly dropped span (never none when something was dropped), and whether
    some of its units were left out."""
    chosen = select(units, allowance, weights, Counter(covered))
    if not chosen and units:
        chosen = [min(units, key=lambda u: (u.cost, u.pos))]
    new = render_units(chosen)
    if not new and dropped:
        first = dropped[0]
        new = [Entry(None, f"{_who(first)}: {' '.join(first.text.split())[:200]}")]
    return new, len(chosen) < len(units)


def build_summary(request: SummaryRequest, count_tokens: Measure | None = None) -> str:
    """The previous digest with lines for ``request.dropped`` appended, within ``max_tokens``.

    ``count_tokens``: the real token count (else a high character estimate is used).
    """
    measure: Measure = estimate_tokens
    if count_tokens is not None:
        memo: dict[str, int] = {}

        def measure(text: str) -> int:
            n = memo.get(text)
            if n is None:
                n = memo[text] = count_tokens(text)
            return n

    prev = parse_previous(request.previous)
    budget = max(64, request.max_tokens)
    start_day = next((d for e in reversed(prev.entries) if e.level() == 0 and (d := e.day())), None)
    start_day = start_day or request.start_day  # else the date the kept messages before it set
    known = frozenset(who for e in prev.entries for who, _ in e.turns() if who)
    units, weights = make_units(request.dropped, start_day, known)
    if count_tokens is not None and units:  # unit costs: the estimate, calibrated on a sample
        step = max(1, len(units) // 48)
        sample = " ; ".join(u.text for u in units[::step])
        ratio = max(1.0, min(2.5, estimate_tokens(sample) / max(1, count_tokens(sample))))
        for u in units:
            u.cost = int(u.cost / ratio) + 1
    covered: Counter[str] = Counter()
    for e in prev.entries:
        covered.update(content_words(e.body))

    arts = list(prev.artifacts)
    seen = set(arts)
    for msg in request.dropped:
        for a in salient.artifacts(msg.text, limit=8, numbers=False):
            if a not in seen:
                arts.append(a)
                seen.add(a)
    arts = arts[-MAX_ARTIFACTS:]
    total = prev.count + len(request.dropped)
    fixed = measure(render([], [], total)) + 2
    trail = measure(artifacts_line(arts)) if arts else 0
    while arts and trail > (budget - fixed) // 4:  # the trail never takes over the digest
        arts = arts[len(arts) // 2 + 1 :]
        trail = measure(artifacts_line(arts)) if arts else 0
    room = max(8, budget - fixed - trail)

    old = _tokens(prev.entries, measure)
    span = sum(estimate_tokens(m.text) for m in request.dropped)
    fair = int(room * span / max(1, span + old / DENSITY))
    headroom = room - old
    # Append without touching the older lines when the headroom holds half the new span's fair
    # share; else compact the oldest lines, a quarter of the room further than needed, so
    # that the next compactions can append byte-stable again.
    allowance = max(headroom if headroom >= fair // 2 else fair, 8)
    slack = room // 4 if prev.entries and allowance > headroom else 0

    goal = allowance
    for _ in range(4):
        new, more = _new_lines(request.dropped, units, weights, covered, goal)
        size = _tokens(new, measure)
        if size > allowance and len(new) > 1:
            goal -= size - allowance + 2  # the framing (labels, speakers) costs too
        elif size < 0.95 * allowance and more and count_tokens is not None:
            goal += allowance - size  # the calibrated costs were high: fill the room
        else:
            break
    if size > allowance and len(new) > 1:  # still over after the last try: the oldest new lines give
        new = compact_oldest(new, allowance, measure)
        size = _tokens(new, measure)
    old_lines = compact_oldest(prev.entries, room - size - slack, measure) if prev.entries else []
    entries = compact_oldest([*old_lines, *new], room, measure)
    text = render(entries, arts, total)
    real = measure(text)
    if real > budget:
        entries = compact_oldest(entries, room - (real - budget) - 2, measure)
        text = render(entries, arts, total)
    return text if measure(text) <= budget else text[: int(budget * 3.2)]
