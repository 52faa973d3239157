"""What one source's refresh came to, reported as each source finishes (CLI progress, the
``POST /catalog/refresh`` answer)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

Status = Literal["ok", "not_modified", "failed", "not_running"]


@dataclass(frozen=True, slots=True)
class SourceOutcome:
    source: str
    status: Status
    models: int | None = None  # entries fetched (ok)
    error: str | None = None  # failure kind (failed)
    seconds: float = 0.0
    expected: bool = True  # a failure of this source is a real failure (see Source.expected)
    detail: str = ""  # the failure as the log says it: kind and reason (the URL, the status)

    @property
    def line(self) -> str:
        took = f"{self.seconds:.1f} s"
        if self.status == "ok":
            return f"ok, {self.models} models ({took})"
        if self.status == "not_modified":
            return f"unchanged ({took})"
        if self.status == "not_running":
            return "not running (local server; skipped)"
        return f"FAILED: {self.detail or self.error} ({took})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "status": self.status,
            "models": self.models,
            "error": self.error,
            "seconds": round(self.seconds, 3),
        }


Progress = Callable[[SourceOutcome], None]
