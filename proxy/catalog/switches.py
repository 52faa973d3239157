"""Windows that depend on the request: a provider documents a request switch that serves a
larger context window for some models. The request path passes what the request asked for
(:class:`RequestTraits`, from its headers) to :meth:`Catalog.lookup`; the budget follows.

The table is small on purpose: only switches the provider documents, for the models it names.
Add a row when a provider documents a new one (docs/catalog.md lists them).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from proxy.catalog.ids import loose, norm, undated
from proxy.catalog.model import ModelInfo, Provenance


@dataclass(frozen=True, slots=True)
class RequestTraits:
    """What a request asked for that can change a model's window (hashable: memo key)."""

    anthropic_beta: frozenset[str] = frozenset()

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> RequestTraits | None:
        """``None`` when the request carries no switch at all (the common case: no cost)."""
        beta = headers.get("anthropic-beta")
        if not beta:
            return None
        return cls(anthropic_beta=frozenset(t.strip().lower() for t in beta.split(",") if t.strip()))


@dataclass(frozen=True, slots=True)
class WindowSwitch:
    provider: str  # whose models (the upstream's provider)
    models: frozenset[str]  # ids, compared undated and spelling-insensitively
    header: str
    token_prefix: str  # a token of the header starting with this turns it on
    context_window: int
    documented: str  # where the provider documents it

    def on(self, traits: RequestTraits) -> bool:
        if self.header == "anthropic-beta":
            return any(t.startswith(self.token_prefix) for t in traits.anthropic_beta)
        return False

    def applies(self, info: ModelInfo) -> bool:
        return info.provider == self.provider and loose(undated(norm(info.id))) in self.models


SWITCHES: tuple[WindowSwitch, ...] = (
    WindowSwitch(
        provider="anthropic",
        # Sonnet 4 and 4.5 (and their dated ids); later models serve 1M without the header.
        models=frozenset({"claude-sonnet-4", "claude-sonnet-4-0", "claude-sonnet-4-5"}),
        header="anthropic-beta",
        token_prefix="context-1m-",
        context_window=1_000_000,
        documented="https://docs.claude.com/en/docs/build-with-claude/context-windows#1m-token-context-window",
    ),
)

_KEEP = frozenset({"override", "learned"})  # the operator's word and observed ceilings stand


def switched(info: ModelInfo, traits: RequestTraits, table: tuple[WindowSwitch, ...] = SWITCHES) -> ModelInfo:
    """``info`` with the window the request turned on, if any (never lower than without)."""
    prov = info.provenance.get("context_window")
    if prov is not None and prov.source in _KEEP:
        return info
    for switch in table:
        if switch.context_window > info.context_window and switch.on(traits) and switch.applies(info):
            source = f"request:{switch.header}={switch.token_prefix}*"
            provenance = {**info.provenance, "context_window": Provenance(source)}
            max_input = info.max_input_tokens
            if max_input is not None:
                provenance["max_input_tokens"] = Provenance(source)
                max_input = switch.context_window
            return replace(
                info, context_window=switch.context_window, max_input_tokens=max_input, provenance=provenance
            )
    return info
