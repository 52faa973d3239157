"""Source states → a :class:`CatalogView`: which states count as native lists (shared fetches
included), which as third-party, and which third-party list stands in for a native list that
has not been fetched yet. Runs in a worker thread."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from proxy.catalog.groups import SourceMeta, build_groups
from proxy.catalog.merge import Defaults
from proxy.catalog.sources import Source
from proxy.catalog.state import SourceState
from proxy.catalog.view import CatalogView

LOCAL_PROVIDERS = frozenset({"vllm", "ollama", "lmstudio"})

Pairs = list[tuple[SourceMeta, SourceState]]


@dataclass(frozen=True)
class Layout:
    """What stays fixed between rebuilds: the sources, what each is, who shares whose fetch."""

    sources: Mapping[str, Source]
    meta: Mapping[str, SourceMeta]
    shared: Mapping[str, str]  # source name → the source whose fetch it shares
    providers: Mapping[str, str]  # upstream → provider
    defaults: Defaults
    overrides: Mapping[str, Mapping[str, Any]] | None = None

    def build(self, states: Mapping[str, SourceState], learned: Mapping[str, tuple[int, str]]) -> CatalogView:
        native: Pairs = []
        third: Pairs = []
        for name, state in states.items():
            meta = self.meta.get(name)
            if meta is None or name in self.shared:
                continue
            (native if meta.upstream else third).append((meta, state))
        for name, target in self.shared.items():
            if target in states:
                native.append((self.meta[name], states[target]))
        return CatalogView(
            build_groups(native, third),
            dict(self.providers),
            self.defaults,
            overrides=self.overrides,
            learned=dict(learned),
            stand_ins=self.stand_ins(native, third),
        )

    def stand_ins(self, native: Pairs, third: Pairs) -> dict[str, str]:
        """upstream → the third-party source whose entries for its provider stand in for its
        native list until that list has been fetched (first start without keys). Local
        servers get none: what is loaded there is not in any catalog."""
        have = {meta.upstream for meta, state in native if state.models}
        local = {s.upstream for s in self.sources.values() if s.local}
        local |= {u for u, p in self.providers.items() if p in LOCAL_PROVIDERS}
        wanted = {u: p for u, p in self.providers.items() if u not in have and u not in local}
        if not wanted:
            return {}
        present: list[tuple[str, set[str | None]]] = [
            (meta.name, {m.provider for m in state.models.values()})
            for meta, state in sorted(third, key=lambda t: t[0].tier)
        ]
        out = {}
        for upstream, provider in wanted.items():
            for name, providers in present:
                if provider in providers:
                    out[upstream] = name
                    break
        return out
