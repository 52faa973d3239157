"""Evaluate the third-party sources against the native lists the catalog holds right now:
coverage of the configured providers' chat models, share with a context window, gaps they
fill, disagreements with native values, freshness. Powers ``ctxproxy models sources``."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from proxy.catalog.groups import EntryMap, SourceMeta
from proxy.catalog.sources._parse import classify
from proxy.catalog.state import SourceState

_EXAMPLES = 20


def evaluate(
    states: Mapping[str, tuple[SourceMeta, SourceState]], now: float | None = None
) -> dict[str, Any]:
    now = time.time() if now is None else now
    native = [(m, s) for m, s in states.values() if m.upstream]
    third = [(m, s) for m, s in states.values() if not m.upstream]
    chat_total = sum(1 for _, s in native for m in s.models.values() if (m.type or classify(m.id)) == "chat")
    report: dict[str, Any] = {"native_chat_models": chat_total, "sources": {}}
    for meta, state in sorted(third, key=lambda x: x[0].tier):
        report["sources"][meta.name] = _evaluate_one(state, native, now)
    return report


def _evaluate_one(
    state: SourceState, native: list[tuple[SourceMeta, SourceState]], now: float
) -> dict[str, Any]:
    tmap = EntryMap(state)
    per_provider: dict[str, dict[str, int]] = {}
    disagreements: list[dict[str, Any]] = []
    totals = {"models": 0, "covered": 0, "with_context": 0, "fills_gap": 0, "disagree": 0}
    for meta, nstate in native:
        row = per_provider.setdefault(meta.provider or "?", {"models": 0, "covered": 0, "with_context": 0})
        for key, model in nstate.models.items():
            if (model.type or classify(model.id)) != "chat":
                continue
            totals["models"] += 1
            row["models"] += 1
            hit = tmap.match(meta.provider or "", key, model)
            if hit is None:
                continue
            other = tmap.exact[hit]
            totals["covered"] += 1
            row["covered"] += 1
            if other.context_window:
                totals["with_context"] += 1
                row["with_context"] += 1
                if not model.context_window:
                    totals["fills_gap"] += 1
            for fname in ("context_window", "max_output_tokens"):
                mine, theirs = getattr(model, fname), getattr(other, fname)
                if mine and theirs and mine != theirs:
                    totals["disagree"] += 1
                    if len(disagreements) < _EXAMPLES:
                        disagreements.append(
                            {
                                "upstream": meta.upstream,
                                "id": model.id,
                                "field": fname,
                                "native": mine,
                                "source": theirs,
                            }
                        )
    return {
        "entries": len(state.models),
        "age_s": round(now - state.fetched_at, 1) if state.fetched_at else None,
        "last_error": state.last_error,
        "coverage": _share(totals["covered"], totals["models"]),
        "with_context_window": _share(totals["with_context"], totals["covered"]),
        "fills_gaps": totals["fills_gap"],
        "disagreements": totals["disagree"],
        "disagreement_examples": disagreements,
        "per_provider": {
            p: {**row, "coverage": _share(row["covered"], row["models"])}
            for p, row in sorted(per_provider.items())
        },
    }


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None
