"""The digest's hierarchy: when it outgrows its budget, only its *oldest* lines are compacted.

The oldest run of lines of one day becomes one line for that day, days of one week a
``[wk 4 March 2024]`` line, weeks of a month a ``[March 2024]`` line, undated lines an
``[earlier]`` line; a merged line re-selects its units by the digest's rule at half the size.
Newer lines are left alone, so old periods fold instead of vanishing.
"""

from __future__ import annotations

from collections import Counter

from proxy.compress.dates import format_date
from proxy.compress.digest_entries import Entry, Measure, entries_tokens, select
from proxy.compress.units import Unit, clip_words, content_words, estimate_tokens, idf_weights


def _coarser(entry: Entry) -> tuple[str, str]:
    """(group key, label) one level up: day → week → month → earlier.

    Days of one ISO week share a key; the week line is labelled with its first day
    (``wk 3 March 2024``), a month line with its month (``March 2024``).
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
        total = entries_tokens(entries, measure)
        if not entries or total <= budget:
            break
        if budget <= 0:  # no room at all: the oldest lines go
            entries = entries[1:]
            continue
        start, end, label = _oldest_run(entries)
        group = entries[start:end]
        size = entries_tokens(group, measure)
        goal = max(8, min(size // 2, size - (total - budget)))
        merged = merge(group, label, goal, measure)
        if len(group) == 1 and (merged == group[0] or measure(merged.line) >= size):
            if len(entries) == 1:  # one line left, too big: cut it
                keep = max(16, int(budget * 3.2) - 8)
                body = clip_words(merged.body, keep)
                return [Entry(merged.label, body)] if body else []
            entries = entries[1:]  # the oldest line cannot shrink: it goes
            continue
        entries = [*entries[:start], merged, *entries[end:]]
    return entries
