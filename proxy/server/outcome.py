"""What compression made of one exchange: one typed object, rendered once.

The chat hooks fill a :class:`CompressionOutcome` (prepare, then a retry may copy and amend
it); the ``x-ctxproxy-*`` response headers (DESIGN §3) come from :meth:`headers` and the
``request.completed`` log fields from :meth:`log_fields` — nothing parses headers back.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any


@dataclass(slots=True)  # not frozen: a frozen __init__ costs ~3 µs more on every request
class CompressionOutcome:
    """``None`` fields are unknown or do not apply: their header is left out. Treated as
    immutable: a retry amends a copy (:meth:`amend`)."""

    compressed: bool = False
    context_window: int | None = None  # None: the chat hooks do not compress (passthrough)
    strategy: str | None = None  # the policy's strategy, "off" when it is disabled
    tokens_before: int | None = None  # estimate of the client's body
    tokens_after: int | None = None  # estimate of what was sent (None: not counted)
    stages: tuple[str, ...] = field(default=())  # stages that ran (only set when compressed)
    native_compaction: str | None = None  # a Responses chain: what was asked of the provider
    retried: str | None = None  # an overflow retry: "context" / "max_tokens" / …
    max_tokens: int | None = None  # the lowered output limit of a ``max_tokens`` retry
    saved_usd: float | None = None  # the cost model's money saved (None: not priced / unknown)

    def amend(self, **changes: Any) -> CompressionOutcome:
        """A copy with ``changes`` (a retry keeps what the first attempt reported)."""
        return replace(self, **changes)

    def headers(self) -> dict[str, str]:
        """The ``x-ctxproxy-*`` response headers: the only place they are written."""
        out = {"x-ctxproxy-compressed": "1" if self.compressed else "0"}
        if self.context_window is not None:
            out["x-ctxproxy-context-window"] = str(self.context_window)
        if self.strategy is not None:
            out["x-ctxproxy-strategy"] = self.strategy
        if self.tokens_before is not None:
            out["x-ctxproxy-tokens-before"] = str(self.tokens_before)
        if self.tokens_after is not None:
            out["x-ctxproxy-tokens-after"] = str(self.tokens_after)
        if self.stages:
            out["x-ctxproxy-stages"] = ",".join(self.stages)
        if self.native_compaction is not None:
            out["x-ctxproxy-native-compaction"] = self.native_compaction
        if self.retried is not None:
            out["x-ctxproxy-retried"] = self.retried
        if self.max_tokens is not None:
            out["x-ctxproxy-max-tokens"] = str(self.max_tokens)
        return out

    def log_fields(self) -> dict[str, Any]:
        """The compression fields of the ``request.completed`` log line (typed values)."""
        fields: dict[str, Any] = {"compressed": self.compressed}
        if self.tokens_before is not None:
            fields["tokens_before"] = self.tokens_before
        if self.tokens_after is not None:
            fields["tokens_after"] = self.tokens_after
        if self.saved_usd is not None:
            fields["saved_usd"] = self.saved_usd
        return fields
