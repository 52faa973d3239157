"""Turn per-source states into :class:`Group` s: native models joined with the third-party
entries for the same provider and id; third-party-only models; overrides; learned limits."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from proxy.catalog.ids import norm, strip_variant, undated
from proxy.catalog.merge import Claim, Group
from proxy.catalog.model import SourceModel
from proxy.catalog.state import SourceState


@dataclass(frozen=True, slots=True)
class SourceMeta:
    name: str
    tier: int
    upstream: str | None = None  # native sources only
    provider: str | None = None


def iso(ts: float | None) -> str | None:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds") if ts else None


def build_groups(
    native: Sequence[tuple[SourceMeta, SourceState]],
    third_party: Sequence[tuple[SourceMeta, SourceState]],
) -> list[Group]:
    tp_maps = [(meta, iso(state.fetched_at), by_provider(state)) for meta, state in third_party]
    consumed: set[tuple[str, str, str]] = set()
    groups: list[Group] = []
    for meta, state in native:
        at = iso(state.fetched_at)
        assert meta.upstream is not None
        for key, model in state.models.items():
            group = Group(
                ns=meta.upstream,
                provider=meta.provider,
                upstream=meta.upstream,
                listed=True,
                first_seen=state.first_seen.get(key),
                last_seen=state.last_seen.get(key),
            )
            group.claims.append(Claim(meta.tier, meta.name, at, model))
            for tmeta, tat, tmap in tp_maps:
                hit = match_entry(tmap, meta.provider or "", key, model)
                if hit is not None:
                    group.claims.append(Claim(tmeta.tier, tmeta.name, tat, tmap[hit]))
                    consumed.add((tmeta.name, *hit))
            groups.append(group)
    rest: dict[tuple[str, str], Group] = {}
    for tmeta, tat, tmap in tp_maps:
        for pkey, model in tmap.items():
            if (tmeta.name, *pkey) in consumed:
                continue
            tp_group = rest.get(pkey)
            if tp_group is None:
                tp_group = rest[pkey] = Group(ns=pkey[0], provider=pkey[0] or None, upstream=None)
            tp_group.claims.append(Claim(tmeta.tier, tmeta.name, tat, model))
    groups.extend(rest.values())
    return groups


def by_provider(state: SourceState) -> dict[tuple[str, str], SourceModel]:
    out = {}
    for key, model in state.models.items():
        provider, _, cid = key.rpartition("|")
        out[(provider, cid)] = model
    return out


def match_entry(
    tmap: Mapping[tuple[str, str], SourceModel], provider: str, key: str, model: SourceModel
) -> tuple[str, str] | None:
    """The third-party entry for a native model: same id, else an alias, else undated."""
    tries = [key, *(norm(a) for a in model.aliases), strip_variant(key), undated(key)]
    for cand in tries:
        if (provider, cand) in tmap:
            return (provider, cand)
    return None


def attach_extras(
    targets: Callable[[str, str | None], list[Group]],
    fallback: Callable[[str], Group | None],
    overrides: Mapping[str, Mapping[str, Any]],
    learned: Mapping[str, tuple[int, str]],
) -> list[Group]:
    """Attach overrides and learned limits to the groups ``targets(model, ns)`` names.

    An entry that matches nothing becomes a model of its own (a learned limit for a model
    only known globally gets a copy of that model's claims, scoped to its upstream).
    Returns the added groups.
    """
    added: list[Group] = []
    for name, values in overrides.items():
        ns, sep, model = name.partition("/")
        found = targets(model, ns) if sep else []
        found = found or targets(name, None)
        if not found:
            group = Group(ns=ns if sep else "override", provider=ns if sep else None, upstream=None)
            group.claims.append(Claim(0, "override", None, SourceModel(id=model if sep else name)))
            found = [group]
            added.append(group)
        for group in found:
            group.override = values
    for name, value in learned.items():
        ns, _, model = name.partition("|")
        found = targets(model, ns or None)
        if not found:
            base = fallback(model)
            group = Group(
                ns=ns or "learned", provider=base.provider if base else None, upstream=ns or None, scoped=True
            )
            group.claims.extend(
                base.claims if base else [Claim(0, "learned", value[1], SourceModel(id=model))]
            )
            found = [group]
            added.append(group)
        for group in found:
            group.learned = value
    return added
