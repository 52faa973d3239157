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
