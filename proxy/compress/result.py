"""What a compaction returns to the proxy."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class CompactionResult:
    body: dict[str, Any] | None  # the body to send; None when the original goes unchanged
    compressed: bool
    tokens_before: int  # estimate for the original request
    tokens_after: int  # estimate for what is sent
    budget: int  # input token budget
    strategy: str
    stages: list[tuple[str, int]] = field(default_factory=list)  # (stage, tokens saved)
    reused_prefix: bool = False  # the previous compaction's prefix was replayed byte for byte
    fits: bool = True  # tokens_after ≤ the target (or ≤ trigger when replayed)
    trigger_tokens: int = 0
    target_tokens: int = 0
    note: str | None = None  # why nothing was done, or a fallback reason
    duration_ms: float = 0.0
    factor: float = 1.0  # the model's token factor both estimates were scaled with (calibration)
    thread: tuple[str, int] | None = None  # the conversation's state key and model turns


@dataclass(slots=True)  # built on every request: no frozen __init__ (treated as immutable)
class Decision:
    """What the compactor made of one request: the answer to :meth:`Compactor.decide`.

    The policy is off for this model/agent (``enabled`` False, nothing counted); the request
    is certainly under the trigger (``result`` None, ``tokens`` is the memoized estimate); it
    went through a compaction run (``result`` set; its ``body`` is None when nothing
    changed); or that run raised (``failure`` set: the caller logs it and sends the original).
    """

    enabled: bool  # the policy compresses this model/agent (a forced target overrides it)
    strategy: str  # the policy's strategy name
    target: float  # share of the input budget a compaction drains to (a retry shrinks this)
    tokens: int | None = None  # estimated input tokens of what is sent; None: not counted
    factor: float = 1.0  # the token factor ``tokens`` was scaled with (for calibration)
    result: CompactionResult | None = None  # None: not compacted (disabled, skipped or failed)
    failure: Exception | None = None  # the compaction raised: send the original (fail open)

    @property
    def body(self) -> dict[str, Any] | None:
        """The compressed body to send, or None: send the original bytes."""
        r = self.result
        return r.body if r is not None and r.compressed else None


@dataclass(frozen=True)
class NativePlan:
    """The numbers a ``previous_response_id`` request needs to ask the provider to compact:
    the history is held upstream, so the proxy can only compare and request (see
    :meth:`Compactor.native_plan`)."""

    enabled: bool
    strategy: str
    budget: int  # input token budget (the same :func:`~proxy.compress.limits.input_budget`)
    trigger: float  # share of the budget at which a chain asks for compaction
    target: float  # share of the budget the provider should compact down to

    def due(self, estimate: int) -> bool:
        """Whether a chain of ``estimate`` tokens should ask the provider to compact."""
        return self.enabled and estimate >= self.trigger * self.budget
