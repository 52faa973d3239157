"""Turn per-source states into :class:`ModelClaims`: native models joined with the third-party
entries for the same provider and id; third-party-only models; overrides; learned limits."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from proxy.catalog.bulk import Breather
from proxy.catalog.ids import loose, norm, strip_variant, undated
from proxy.catalog.merge import Claim, ModelClaims
from proxy.catalog.model import SourceModel
from proxy.catalog.sources.base import TIER_OPENROUTER
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
) -> list[ModelClaims]:
    tp_maps = [(meta, iso(state.fetched_at), EntryMap(state)) for meta, state in third_party]
    consumed: set[tuple[str, str, str]] = set()
    breathe = Breather()
    groups: list[ModelClaims] = []
    for meta, state in native:
        at = iso(state.fetched_at)
        assert meta.upstream is not None
        for key, model in state.models.items():
            breathe()
            group = ModelClaims(
                ns=meta.upstream,
                provider=meta.provider,
                upstream=meta.upstream,
                listed=True,
                first_seen=state.first_seen.get(key),
                last_seen=state.last_seen.get(key),
            )
            group.claims.append(Claim(meta.tier, meta.name, at, model))
            for tmeta, tat, tmap in tp_maps:
                hit = tmap.match(meta.provider or "", key, model)
                if hit is not None:
                    group.claims.append(Claim(tmeta.tier, tmeta.name, tat, tmap.exact[hit]))
                    consumed.add((tmeta.name, *hit))
            groups.append(group)
    # Third-party-only models, one group per provider and spelling: OpenRouter's
    # ``anthropic/claude-sonnet-4.5`` (offered to anthropic as ``claude-sonnet-4.5``) joins
    # models.dev's and LiteLLM's ``claude-sonnet-4-5`` and ranks below them.
    rest: dict[tuple[str, str], ModelClaims] = {}
    for tmeta, tat, tmap in sorted(tp_maps, key=lambda t: t[0].tier):
        for pkey, model in tmap.exact.items():
            breathe()
            if (tmeta.name, *pkey) in consumed:
                continue
            slot = (pkey[0], loose(strip_variant(pkey[1])))
            tp_group = rest.get(slot)
            if tp_group is None:
                tp_group = rest[slot] = ModelClaims(ns=pkey[0], provider=pkey[0] or None, upstream=None)
            tp_group.claims.append(Claim(tmeta.tier, tmeta.name, tat, model))
    _fold_lowest(rest)
    groups.extend(rest.values())
    return groups


def _fold_lowest(rest: dict[tuple[str, str], ModelClaims]) -> None:
    """A model only OpenRouter names under a vendor (``claude-sonnet-4``, ``claude-3.5-haiku``)
    joins the vendor's own entry for it (``claude-sonnet-4-0``, ``claude-3-5-haiku-latest``,
    undated) when models.dev or LiteLLM has one: OpenRouter's 1 M for its Sonnet 4 endpoint
    must not answer for Anthropic's Sonnet 4 (200 k)."""
    own: dict[tuple[str, str], ModelClaims] = {}
    for (provider, key), group in rest.items():
        if group.claims[0].tier < TIER_OPENROUTER:
            spelling = undated(key)
            if (provider, spelling) not in own or key == spelling:
                own[(provider, spelling)] = group
    for slot, group in list(rest.items()):
        if group.claims[0].tier < TIER_OPENROUTER:  # claims are added in tier order
            continue
        spelling = undated(slot[1])
        for cand in (spelling, f"{spelling}-0", f"{spelling}-latest"):
            target = own.get((slot[0], cand))
            if target is not None:
                target.claims.extend(group.claims)
                del rest[slot]
                break


class EntryMap:
    """One third-party source's entries by (provider, canonical id), matched to native models
    by id, alias, undated id, then spelling-insensitively (``claude-sonnet-4.5`` ↔
    ``claude-sonnet-4-5-20250929``; that last index is built on first need)."""

    def __init__(self, state: SourceState) -> None:
        self.exact: dict[tuple[str, str], SourceModel] = {}
        for key, model in state.models.items():
            provider, _, cid = key.rpartition("|")
            self.exact[(provider, cid)] = model
        self._loose: dict[tuple[str, str], tuple[str, str]] | None = None

    def match(self, provider: str, key: str, model: SourceModel) -> tuple[str, str] | None:
        for cand in (key, *(norm(a) for a in model.aliases), strip_variant(key), undated(key)):
            if (provider, cand) in self.exact:
                return (provider, cand)
        if self._loose is None:
            self._loose = {}
            for pkey in self.exact:
                self._loose.setdefault((pkey[0], _spelling(pkey[1])), pkey)
        return self._loose.get((provider, _spelling(key)))


def _spelling(key: str) -> str:
    return loose(undated(strip_variant(key)))


def attach_extras(
    targets: Callable[[str, str | None], list[ModelClaims]],
    fallback: Callable[[str], ModelClaims | None],
    overrides: Mapping[str, Mapping[str, Any]],
    learned: Mapping[str, tuple[int, str]],
    namespaces: frozenset[str] = frozenset(),
) -> list[ModelClaims]:
    """Attach overrides and learned limits to the groups ``targets(model, ns)`` names.

    An override key ``upstream/model`` (or ``provider/model``; ``namespaces``) applies there
    only; any other key is a model id, slashes included, and applies wherever it matches.

    An entry that matches nothing becomes a model of its own (a learned limit for a model
    only known globally gets a copy of that model's claims, scoped to its upstream).
    Returns the added groups.
    """
    added: list[ModelClaims] = []
    for name, values in overrides.items():
        ns, sep, model = name.partition("/")
        scoped = bool(sep) and ns in namespaces
        found = targets(model, ns) if scoped else []
        found = found or (targets(name, None) if not scoped else [])
        if not found:
            group = ModelClaims(
                ns=ns if scoped else "override", provider=ns if scoped else None, upstream=None
            )
            group.claims.append(Claim(0, "override", None, SourceModel(id=model if scoped else name)))
            found = [group]
            added.append(group)
        for group in found:
            group.override = values
    for name, value in learned.items():
        ns, _, model = name.partition("|")
        found = targets(model, ns or None)
        if not found:
            base = fallback(model)
            group = ModelClaims(
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
