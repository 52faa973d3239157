"""Summary layers: a later compaction appends a block for its span after the earlier summary,
which keeps its bytes (the provider's prompt cache still reads it); the layers fold into one
summary only when the summary's share of the target runs out.

A layered summary is the first summary, then for each later compaction
``LAYER_SEPARATOR`` + :data:`CONTINUED` + the lines the summarizer wrote for that span alone
(its own artifact trail and message count included). :func:`flatten` reads every layer back as
one summary in the shared format, for the summarizer that folds them.
"""

from __future__ import annotations

from collections.abc import Callable

from proxy.compress.summary_format import (
    MAX_ARTIFACTS,
    SUMMARY_HEADER,
    artifacts_line,
    count_line,
    parse_summary,
)

CONTINUED = "[ctxproxy: summary, continued]"
Shrink = Callable[[str, int, Callable[[str], int]], str]  # (text, goal tokens, count) → shorter text
_MIN_LAYER = 24  # tokens the newest layer keeps at least when only it is shortened
LAYER_SEPARATOR = "\n\n"
_SPLIT = LAYER_SEPARATOR + CONTINUED


def append_layer(previous: str, layer: str) -> str:
    """``previous`` byte for byte, then ``layer`` (a summary of the new span alone, its header
    line replaced by :data:`CONTINUED`)."""
    head, _, rest = layer.partition("\n")
    body = rest if head.startswith(SUMMARY_HEADER) else layer
    return previous + _SPLIT + ("\n" + body if body else "")


def layers(summary: str) -> list[str]:
    """The layers of a summary (one for a summary that was never appended to); a later layer
    without its leading :data:`CONTINUED` line."""
    return summary.split(_SPLIT)


def shrink_newest(summary: str, goal: int, count: Callable[[str], int], shrink: Shrink) -> str:
    """``summary`` in about ``goal`` tokens, taken from its newest layer while the earlier
    layers (the provider's cached prefix) fit and the newest keeps a few lines' room; else
    from the layers folded into one."""
    head, sep, newest = summary.rpartition(_SPLIT)
    if sep:
        room = goal - count(head + sep)
        if room >= _MIN_LAYER:
            return head + sep + shrink(newest, room, count)
    return shrink(flatten(summary) or summary, goal, count)


def flatten(summary: str | None) -> str | None:
    """A layered summary as one summary: the header, every layer's lines in order, the artifact
    trails merged (the newest kept), the message counts added up."""
    if summary is None or _SPLIT not in summary:
        return summary
    lines: list[str] = []
    artifacts: list[str] = []
    count = 0
    for i, text in enumerate(layers(summary)):
        parts = parse_summary(text if i == 0 else SUMMARY_HEADER + text)
        lines += [line for line in parts.lines if line.strip()]
        artifacts = [a for a in artifacts if a not in parts.artifacts] + parts.artifacts
        count += parts.count
    out = [SUMMARY_HEADER, *lines]
    if artifacts:
        out.append(artifacts_line(artifacts[-MAX_ARTIFACTS:]))
    out.append(count_line(count))
    return "\n".join(out)
