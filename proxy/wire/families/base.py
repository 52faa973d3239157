"""What every provider family (the ``api`` of an upstream) answers: how it authenticates,
shapes its error bodies and ``/v1/models`` lists, and asks for a one-shot summary.

One subclass per family (``openai.py``, ``anthropic.py``, ``gemini.py``); the registry is
``FAMILIES`` in ``proxy/wire/families/__init__.py``. The base class speaks OpenAI's dialect,
which most OpenAI-compatible providers share."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, get_args

FamilyName = Literal["openai", "anthropic", "gemini"]
FAMILY_NAMES: tuple[FamilyName, ...] = get_args(FamilyName)

# Every header a client may carry its provider key in, whatever the family.
AUTH_HEADERS: tuple[str, ...] = ("authorization", "x-api-key", "x-goog-api-key", "api-key")


@dataclass(frozen=True)
class ModelRow:
    """One model as a ``/v1/models`` listing shows it, before a family's shape is applied."""

    id: str
    created: str | None  # YYYY-MM-DD
    owned_by: str
    context_window: int | None
    max_output_tokens: int | None
    listed_by: str | None


@dataclass(frozen=True)
class Family:
    name: FamilyName
    auth_header: str  # the header this family's key travels in
    auth_prefix: str  # "Bearer " or ""
    error_types: dict[int, str] = field(default_factory=dict)  # status → error type/status word
    default_error_type: str = "api_error"
    # Whether an upstream of this family speaks OpenAI's chat wire format (what bare /v1 takes).
    speaks_openai_format: bool = False
    # A request header only this family's SDKs send (how a bare ``/v1/models`` call says
    # which dialect it wants).
    client_marker: str | None = None
    # Headers every request to this family needs besides the key (the API version).
    fixed_headers: tuple[tuple[str, str], ...] = ()

    def auth_headers(self, key: str) -> dict[str, str]:
        """The request headers that carry ``key`` for this family."""
        return {self.auth_header: f"{self.auth_prefix}{key}"}

    def error_type(self, status: int) -> str:
        return self.error_types.get(status, self.default_error_type)

    def error_payload(self, status: int, message: str, code: str, request_id: str | None) -> dict[str, Any]:
        """An error body as this family's own API would send it."""
        return {"error": {"message": message, "type": self.error_type(status), "param": None, "code": code}}

    def model_object(self, row: ModelRow) -> dict[str, Any]:
        """One model as this family's ``/v1/models`` API lists it."""
        return {
            "id": row.id,
            "object": "model",
            "created": _epoch(row.created),
            "owned_by": row.owned_by,
            "context_window": row.context_window,
            "max_output_tokens": row.max_output_tokens,
            "listed_by": row.listed_by,
        }

    def model_list(self, rows: list[ModelRow]) -> dict[str, Any]:
        """A whole ``/v1/models`` answer in this family's shape (one page, nothing more)."""
        return {"object": "list", "data": [self.model_object(row) for row in rows]}

    def summary_request(
        self, base_url: str, model: str, system: str, prompt: str, max_tokens: int
    ) -> tuple[str, dict[str, Any], dict[str, str]]:
        """(url, body, extra headers) of a plain, non-streamed completion for a summary."""
        body = {
            "model": model,
            "max_tokens": max_tokens,
            "temperature": 0,
            "messages": [{"role": "system", "content": system}, {"role": "user", "content": prompt}],
        }
        return f"{base_url.rstrip('/')}/chat/completions", body, dict(self.fixed_headers)

    def read_completion(self, data: dict[str, Any]) -> tuple[str, int, int]:
        """(text, input tokens, output tokens) of the answer to :meth:`summary_request`."""
        choice = (data.get("choices") or [{}])[0]
        u = data.get("usage") or {}
        return (
            (choice.get("message") or {}).get("content") or "",
            int(u.get("prompt_tokens") or 0),
            int(u.get("completion_tokens") or 0),
        )


def _epoch(day: str | None) -> int:
    if not day:
        return 0
    try:
        return calendar.timegm(datetime.fromisoformat(day[:10]).timetuple())
    except ValueError:
        return 0
