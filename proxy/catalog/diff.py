"""What one refresh changed among the listed models: added, removed, changed fields."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from proxy.catalog.model import ModelInfo
from proxy.catalog.progress import SourceOutcome

TRACKED = (
    ("context_window", lambda i: i.context_window),
    ("max_input_tokens", lambda i: i.max_input_tokens),
    ("max_output_tokens", lambda i: i.max_output_tokens),
    ("input_cost", lambda i: i.pricing.input),
    ("output_cost", lambda i: i.pricing.output),
    ("cached_input_cost", lambda i: i.pricing.cached_input),
)


@dataclass
class CatalogDiff:
    at: str
    sources: list[str]
    added: list[dict[str, Any]] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)
    # Not logged to the changelog: source → failure kind (sources that should have worked),
    # the local servers that were not running, and every source's outcome.
    errors: dict[str, str] = field(default_factory=dict)
    not_running: list[str] = field(default_factory=list)
    outcomes: list[SourceOutcome] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def to_dict(self) -> dict[str, Any]:
        return {
            "at": self.at,
            "sources": self.sources,
            "added": self.added,
            "removed": self.removed,
            "changed": self.changed,
        }


def _brief(info: ModelInfo) -> dict[str, Any]:
    return {
        "id": info.id,
        "upstream": info.upstream,
        "provider": info.provider,
        "context_window": None if info.unknown else info.context_window,
        "max_output_tokens": info.max_output_tokens,
        "source": info.source,
    }


def compute(
    old: Mapping[str, ModelInfo], new: Mapping[str, ModelInfo], at: str, sources: list[str]
) -> CatalogDiff:
    diff = CatalogDiff(at=at, sources=sources)
    for key in sorted(new.keys() - old.keys()):
        diff.added.append(_brief(new[key]))
    for key in sorted(old.keys() - new.keys()):
        diff.removed.append({"id": old[key].id, "upstream": old[key].upstream, "provider": old[key].provider})
    for key in sorted(new.keys() & old.keys()):
        before, after = old[key], new[key]
        for name, get in TRACKED:
            a, b = get(before), get(after)
            if name == "context_window":
                a, b = (None if before.unknown else a), (None if after.unknown else b)
            if a != b:
                prov = after.provenance.get(name)
                diff.changed.append(
                    {
                        "id": after.id,
                        "upstream": after.upstream,
                        "field": name,
                        "old": a,
                        "new": b,
                        "source": prov.source if prov else None,
                    }
                )
    return diff
