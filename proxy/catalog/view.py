"""An immutable merged catalog: groups, the key index, memoized lookups.

A refresh builds a new view and swaps it in one assignment, so readers never see a
half-built index and never wait. ``lookup`` costs one dict hit once an id has been seen.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from proxy.catalog.bulk import Breather, drop
from proxy.catalog.groups import attach_extras
from proxy.catalog.ids import MODEL_VENDORS, candidates, index_keys, norm, strip_variant
from proxy.catalog.merge import Defaults, ModelClaims, merge
from proxy.catalog.model import ModelInfo, Provenance
from proxy.catalog.sources._parse import classify
from proxy.catalog.switches import RequestTraits

_MEMO_MAX = 20000
# A price row, not a model: LiteLLM's map prices image sizes as ``1024-x-1024/gpt-image-1.5``
# and ``high/1024-x-1536/gpt-image-1``, and fine-tunes by their base (``ft:gpt-4o-2024-08-06``;
# a fine-tune's own id goes on, ``ft:gpt-4o-2024-08-06:org::abc123``); no provider accepts these ids.
_PRICE_ROW = re.compile(r"(?:^|/)\d+-x-\d+/|^ft:[^:]+$")
# (fuzzy match, borrowed, unlisted, match level, provider not configured, source tier, namespace):
# lower wins. "Borrowed": the key is the bare tail of a platform's ``vendor/model`` id
# (OpenRouter's ``openai/gpt-4.1`` answers ``gpt-4.1`` only when OpenAI's own entry does not).
Rank = tuple[bool, bool, bool, int, bool, int, str]


class CatalogView:
    def __init__(
        self,
        groups: list[ModelClaims],
        providers: Mapping[str, str],
        defaults: Defaults,
        *,
        overrides: Mapping[str, Mapping[str, Any]] | None = None,
        learned: Mapping[str, tuple[int, str]] | None = None,
        stand_ins: Mapping[str, str] | None = None,
    ) -> None:
        self.providers = dict(providers)  # upstream → provider
        self.defaults = defaults
        # upstream → the third-party source whose entries stand in for its native list
        # until that list has been fetched once (see :meth:`offered`).
        self.stand_ins = dict(stand_ins or {})
        self._offered: list[ModelInfo] | None = None
        self._configured = frozenset(self.providers.values()) | frozenset(self.providers)
        self._by_ns: dict[tuple[str, str], tuple[Rank, ModelClaims]] = {}
        self._any: dict[str, tuple[Rank, ModelClaims]] = {}
        # What an upstream may fall back on for a model it does not know: what is known about
        # model vendors (gpt-4o sent to vLLM), never another serving platform's row.
        self._shared: dict[str, tuple[Rank, ModelClaims]] = {}
        self._exact: dict[str, list[ModelClaims]] | None = None  # built only when overrides need it
        self.groups = groups
        self._index(groups)
        extra = attach_extras(
            self._targets, lambda m: self.find(m, None), overrides or {}, learned or {}, self._configured
        )
        if extra:
            self.groups = groups + extra
            self._index(extra)
        self._infos: dict[int, ModelInfo] = {}
        self.memo: dict[tuple[str, str | None], ModelInfo] = {}
        self.switched: dict[tuple[str, str | None, RequestTraits], ModelInfo] = {}

    # -- index -------------------------------------------------------------------------
    def _index(self, groups: Iterable[ModelClaims]) -> None:
        by_ns, anyp, shared, configured = self._by_ns, self._any, self._shared, self._configured
        platforms = configured - MODEL_VENDORS
        breathe = Breather(100)
        for group in groups:
            breathe()
            first = group.claims[0].model
            unlisted = not group.listed
            tail: tuple[bool, int, str] = (
                (group.provider or group.ns) not in configured,
                group.best_tier,
                group.ns,
            )
            # Every spelling any source used is a key of this one model.
            claims = group.claims
            if len(claims) == 1:
                aliases = first.aliases
            else:
                aliases = tuple(
                    dict.fromkeys(
                        [c.model.id for c in claims[1:] if c.model.id != first.id]
                        + [a for c in claims for a in c.model.aliases]
                    )
                )
            own = (
                {strip_variant(norm(i)) for i in (first.id, *aliases) if "/" not in i}
                if "/" in first.id or any("/" in a for a in aliases)
                else None
            )
            # A vendor's own entries (its native list included) may answer other upstreams;
            # a serving platform's (groq, openrouter, a vLLM box…) only its own.
            shareable = not group.scoped and group.ns not in platforms
            for key, level in index_keys(first.id, aliases):
                borrowed = own is not None and level == 1 and "/" not in key and key not in own
                rank: Rank = (level > 1, borrowed, unlisted, level, *tail)
                slot = (group.ns, key)
                old = by_ns.get(slot)
                if old is None or rank < old[0]:
                    by_ns[slot] = (rank, group)
                if group.scoped:
                    continue
                old = anyp.get(key)
                if old is None or rank < old[0]:
                    anyp[key] = (rank, group)
                if shareable:
                    old = shared.get(key)
                    if old is None or rank < old[0]:
                        shared[key] = (rank, group)

    def _targets(self, model: str, ns: str | None) -> list[ModelClaims]:
        """Groups an override/learned entry applies to: in ``ns`` only, or every exact match."""
        if ns:
            group = self.find(model, ns, global_fallback=False)
            return [group] if group is not None else []
        if self._exact is None:
            self._exact = {}
            for group in self.groups:
                aliases = tuple(a for c in group.claims for a in c.model.aliases)
                for key in {k for k, level in index_keys(group.claims[0].model.id, aliases) if level <= 1}:
                    self._exact.setdefault(key, []).append(group)
        found = list(self._exact.get(norm(model), ()))
        best = self.find(model, None)
        if best is not None and all(best is not g for g in found):
            found.append(best)
        return found

    # -- lookup ------------------------------------------------------------------------
    def find(self, model: str, upstream: str | None, *, global_fallback: bool = True) -> ModelClaims | None:
        if upstream is None:  # "upstream/model", the way clients address a configured upstream
            head, sep, rest = model.partition("/")
            if sep and head in self.providers:
                scoped = self.find(rest, head, global_fallback=False)
                if scoped is not None:
                    return scoped
        spaces: list[str] = []
        if upstream:
            spaces.append(upstream)
            provider = self.providers.get(upstream)
            if provider and provider != upstream:
                spaces.append(provider)
        cands = candidates(model)
        for hint, key in cands:
            for ns in spaces if hint is None else [*spaces, hint]:
                hit = self._by_ns.get((ns, key))
                if hit is not None:
                    return hit[1]
        if not global_fallback:
            return None
        index = self._shared if upstream else self._any
        for _hint, key in cands:
            hit = index.get(key)
            if hit is not None:
                return hit[1]
        return None

    def info(self, group: ModelClaims) -> ModelInfo:
        info = self._infos.get(id(group))
        if info is None:
            info = self._infos[id(group)] = merge(group, self.defaults)
        return info

    def lookup(self, model: str, upstream: str | None) -> ModelInfo:
        memo_key = (model, upstream)
        info = self.memo.get(memo_key)
        if info is not None:
            return info
        group = self.find(model, upstream)
        info = self.info(group) if group is not None else self.default_info(model, upstream)
        if len(self.memo) >= _MEMO_MAX:
            self.memo.clear()
            self.switched.clear()
        self.memo[memo_key] = info
        return info

    def default_info(self, model: str, upstream: str | None) -> ModelInfo:
        return ModelInfo(
            id=model,
            provider=self.providers.get(upstream or ""),
            upstream=upstream,
            context_window=self.defaults.context_window,
            max_output_tokens=self.defaults.max_output_tokens,
            unknown=True,
            type=classify(model),
            provenance={
                "context_window": Provenance("unknown"),
                "max_output_tokens": Provenance("unknown"),
            },
        )

    def apply_learned(self, key: str, value: tuple[int, str]) -> None:
        """Patch a learned limit into this view (no rebuild); the next build includes it too."""
        added = attach_extras(self._targets, lambda m: self.find(m, None), {}, {key: value}, self._configured)
        if added:
            self.groups = self.groups + added
            self._index(added)
            self._exact = None
        self._infos.clear()
        self.memo.clear()
        self.switched.clear()

    def offered(self, provider: str | None = None) -> list[ModelInfo]:
        """What ``/v1/models`` serves: the native lists, and for an upstream whose list has
        not been fetched yet, the best-known list from a third-party source (``listed_by``),
        without its price rows (``1024-x-1024/gpt-image-1.5``, ``ft:gpt-4o-2024-08-06``, chat rows
        with no limits such as ``container``)."""
        if self._offered is None:
            out = self.listed()
            for upstream, source in self.stand_ins.items():
                ns = self.providers.get(upstream, upstream)
                for g in self.groups:
                    if g.upstream is None and g.ns == ns and any(c.source == source for c in g.claims):
                        info = self.info(g)
                        if not (info.unknown and info.type == "chat"):  # a price row: ``container``
                            out.append(replace(info, upstream=upstream, listed_by=source))
            out = [i for i in out if not _PRICE_ROW.search(i.id)]
            self._offered = sorted(out, key=lambda i: (i.upstream or "", i.id))
        return [i for i in self._offered if provider is None or provider in (i.upstream, i.provider)]

    def release(self) -> None:
        """Free a view that was swapped out, piecewise (in a worker thread; see bulk.drop).
        Nothing reads an old view: lookups always go through the catalog's current one."""
        for container in (self.memo, self.switched, self._infos, self._by_ns, self._any, self._shared):
            drop(container)
        self._exact = None
        self._offered = None
        drop(self.groups)

    def listed(self, provider: str | None = None) -> list[ModelInfo]:
        out = [
            self.info(g)
            for g in self.groups
            if g.listed and (provider is None or provider in (g.upstream, g.provider))
        ]
        return sorted(out, key=lambda i: (i.upstream or "", i.id))
