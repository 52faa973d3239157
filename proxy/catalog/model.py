"""What the catalog knows about a model: values, units (USD per token) and provenance."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# Fields merged per field with provenance (see merge.py for the precedence).
LIMIT_FIELDS = ("context_window", "max_input_tokens", "max_output_tokens")
PRICE_FIELDS = ("input_cost", "output_cost", "cached_input_cost")
CAPABILITY_FIELDS = ("tools", "vision", "reasoning")
INFO_FIELDS = ("type", "created")
MERGED_FIELDS = LIMIT_FIELDS + PRICE_FIELDS + CAPABILITY_FIELDS + INFO_FIELDS


@dataclass(frozen=True, slots=True)
class SourceModel:
    """One source's statement about one model. ``None`` = the source does not say.

    Prices are USD per token. ``type`` is ``chat`` or a non-chat kind (``embedding``,
    ``audio``, ``image``, ``moderation``, ``rerank``). ``created`` is an ISO date.
    """

    id: str
    aliases: tuple[str, ...] = ()
    context_window: int | None = None
    max_input_tokens: int | None = None
    max_output_tokens: int | None = None
    input_cost: float | None = None
    output_cost: float | None = None
    cached_input_cost: float | None = None
    tools: bool | None = None
    vision: bool | None = None
    reasoning: bool | None = None
    type: str | None = None
    created: str | None = None
    provider: str | None = None  # third-party sources: whose model this is

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SourceModel:
        values = dict(data)
        values["aliases"] = tuple(values.get("aliases") or ())
        return cls(**values)


@dataclass(frozen=True, slots=True)
class Provenance:
    source: str  # "override", "native:vllm", "native:groq", "models_dev", "litellm", "learned", "unknown"
    at: str | None = None  # ISO time the source's data was fetched


@dataclass(frozen=True, slots=True)
class Pricing:
    """USD per token; ``None`` = unknown or variable (OpenRouter's ``-1``)."""

    input: float | None = None
    output: float | None = None
    cached_input: float | None = None


@dataclass(frozen=True, slots=True)
class Capabilities:
    tools: bool | None = None
    vision: bool | None = None
    reasoning: bool | None = None


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """The merged view of one model, as :meth:`Catalog.lookup` returns it.

    ``upstream`` is the configured upstream whose native list has the model (``None`` for a
    model only third-party sources know). ``listed`` says a native list currently offers it.
    ``unknown`` means no source gave a context window: ``context_window`` is the configured
    conservative default.
    """

    id: str
    provider: str | None
    context_window: int
    max_input_tokens: int | None = None
    max_output_tokens: int | None = None
    upstream: str | None = None
    aliases: tuple[str, ...] = ()
    pricing: Pricing = field(default_factory=Pricing)
    capabilities: Capabilities = field(default_factory=Capabilities)
    type: str = "chat"
    created: str | None = None
    first_seen: str | None = None
    last_seen: str | None = None
    listed: bool = False
    unknown: bool = False
    provenance: Mapping[str, Provenance] = field(default_factory=dict)
    # Whose list offers it: ``native:<upstream>``, or (first start, no native list yet) the
    # third-party source standing in for it (``models_dev``…); ``None``: not offered.
    listed_by: str | None = None

    @property
    def source(self) -> str:
        """Where the context window came from."""
        prov = self.provenance.get("context_window")
        return prov.source if prov else "unknown"

    @property
    def key(self) -> str:
        """``upstream/id`` (or ``provider/id``): unique within the catalog."""
        return f"{self.upstream or self.provider or '-'}/{self.id}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "provider": self.provider,
            "upstream": self.upstream,
            "aliases": list(self.aliases),
            "context_window": self.context_window,
            "max_input_tokens": self.max_input_tokens,
            "max_output_tokens": self.max_output_tokens,
            "source": self.source,
            "pricing": {
                "input": self.pricing.input,
                "output": self.pricing.output,
                "cached_input": self.pricing.cached_input,
                "unit": "USD per token",
            },
            "capabilities": {
                "tools": self.capabilities.tools,
                "vision": self.capabilities.vision,
                "reasoning": self.capabilities.reasoning,
            },
            "type": self.type,
            "created": self.created,
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
            "listed": self.listed,
            "listed_by": self.listed_by,
            "unknown": self.unknown,
            "provenance": {k: {"source": p.source, "at": p.at} for k, p in self.provenance.items()},
        }
