"""Per-source state: the last good list, availability bookkeeping, fetch health.

A native model leaves the list only after ``REMOVE_AFTER`` consecutive successful refreshes
without it (maintenance windows and flaky list endpoints are common). A failed fetch never
touches the list.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from proxy.catalog.bulk import Breather
from proxy.catalog.ids import norm
from proxy.catalog.model import SourceModel

REMOVE_AFTER = 2


def entry_key(model: SourceModel) -> str:
    """Native lists: the id; third-party entries also carry their provider."""
    return f"{model.provider}|{norm(model.id)}" if model.provider else norm(model.id)


@dataclass
class SourceState:
    name: str
    models: dict[str, SourceModel] = field(default_factory=dict)
    misses: dict[str, int] = field(default_factory=dict)
    first_seen: dict[str, str] = field(default_factory=dict)
    last_seen: dict[str, str] = field(default_factory=dict)
    fetched_at: float | None = None  # epoch seconds of the last good fetch
    attempted_at: float | None = None
    failures: int = 0  # consecutive
    last_error: str | None = None
    raw_count: int = 0  # entries in the last good fetch before filtering (shrink checks)
    validators: dict[str, str] = field(default_factory=dict)  # ETag / Last-Modified of that fetch

    def apply(self, models: Iterable[SourceModel], now: float, now_iso: str, *, track: bool) -> None:
        """Install a good fetch. ``track``: native availability rules (else replace wholesale)."""
        breathe = Breather()
        fresh = {}
        for model in models:
            breathe()
            fresh[entry_key(model)] = model
        for key in fresh:
            self.misses.pop(key, None)  # seen again: the count restarts
        if track:
            for key in self.models.keys() - fresh.keys():
                misses = self.misses.get(key, 0) + 1
                if misses < REMOVE_AFTER:
                    self.misses[key] = misses
                    fresh[key] = self.models[key]
                else:
                    self.misses.pop(key, None)
                    self.first_seen.pop(key, None)
                    self.last_seen.pop(key, None)
            for key in fresh:
                if key not in self.misses:
                    self.first_seen.setdefault(key, now_iso)
                    self.last_seen[key] = now_iso
        self.models = fresh
        self.fetched_at = self.attempted_at = now
        self.failures = 0
        self.last_error = None

    def unchanged(self, now: float) -> None:
        """A conditional fetch said the last good list is current."""
        self.fetched_at = self.attempted_at = now
        self.failures = 0
        self.last_error = None

    def fail(self, kind: str, now: float) -> None:
        self.attempted_at = now
        self.failures += 1
        self.last_error = kind

    def to_snapshot(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "models": [_row(m) for m in self.models.values()],
            "misses": self.misses,
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
            "fetched_at": self.fetched_at,
            "failures": self.failures,
            "last_error": self.last_error,
            "raw_count": self.raw_count,
            "validators": self.validators,
        }

    @classmethod
    def from_snapshot(cls, data: dict[str, Any]) -> SourceState:
        models = [_from_row(r) for r in data.get("models") or ()]
        return cls(
            name=data["name"],
            models={entry_key(m): m for m in models},
            raw_count=int(data.get("raw_count") or len(models)),
            validators=dict(data.get("validators") or {}),
            misses=dict(data.get("misses") or {}),
            first_seen=dict(data.get("first_seen") or {}),
            last_seen=dict(data.get("last_seen") or {}),
            fetched_at=data.get("fetched_at"),
            failures=int(data.get("failures") or 0),
            last_error=data.get("last_error"),
        )


_FIELDS = SourceModel.__slots__


def _row(model: SourceModel) -> list[Any]:
    """Compact positional row (fast to write and to read back)."""
    return [getattr(model, f) for f in _FIELDS]


def _from_row(row: list[Any]) -> SourceModel:
    """Positional: the snapshot's field list is checked against ``SourceModel`` on load."""
    model = SourceModel(*row)
    if model.aliases:
        object.__setattr__(model, "aliases", tuple(model.aliases))
    else:
        object.__setattr__(model, "aliases", ())
    return model
