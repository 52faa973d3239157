"""Provider families (the ``api`` of an upstream): how each authenticates, shapes its error
bodies, and answers a one-shot summary request. Declared once; everything else looks them up."""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, get_args
from urllib.parse import urlsplit

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
    # An upstream of this family serves OpenAI's own models (tokenized with o200k) when it is
    # named / has a provider among these labels, or its host ends with one of these suffixes.
    openai_model_labels: frozenset[str] = frozenset()
    openai_model_hosts: tuple[str, ...] = ()
    # A request header only this family's SDKs send (how a bare ``/v1/models`` call says
    # which dialect it wants).
    client_marker: str | None = None

    def serves_openai_models(self, name: str, base_url: str, provider: str | None) -> bool:
        """Whether an upstream of this family (``name``, ``base_url``, ``provider``) serves
        OpenAI's own models: OpenAI's API or Azure OpenAI."""
        if not self.openai_model_labels and not self.openai_model_hosts:
            return False
        host = (urlsplit(base_url).hostname or "").lower()
        labels = {name.lower(), (provider or "").lower()}
        return bool(labels & self.openai_model_labels) or host.endswith(self.openai_model_hosts)

    def auth_headers(self, key: str) -> dict[str, str]:
        """The request headers that carry ``key`` for this family."""
        return {self.auth_header: f"{self.auth_prefix}{key}"}

    def error_payload(self, status: int, message: str, code: str, request_id: str | None) -> dict[str, Any]:
        """An error body as this family's own API would send it."""
        kind = self.error_types.get(status, self.default_error_type)
        if self.name == "anthropic":
            payload: dict[str, Any] = {"type": "error", "error": {"type": kind, "message": message}}
            if request_id:
                payload["request_id"] = request_id
            return payload
        if self.name == "gemini":
            return {"error": {"code": status, "message": message, "status": kind}}
        return {"error": {"message": message, "type": kind, "param": None, "code": code}}

    def model_object(self, row: ModelRow) -> dict[str, Any]:
        """One model as this family's ``/v1/models`` API lists it (OpenAI's shape by default)."""
        if self.name == "anthropic":
            created = f"{row.created or '1970-01-01'}T00:00:00Z"
            return {"type": "model", "id": row.id, "display_name": row.id, "created_at": created}
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
        objects = [self.model_object(row) for row in rows]
        if self.name == "anthropic":
            return {
                "data": objects,
                "has_more": False,
                "first_id": objects[0]["id"] if objects else None,
                "last_id": objects[-1]["id"] if objects else None,
            }
        return {"object": "list", "data": objects}

    def summary_request(
        self, base_url: str, model: str, system: str, prompt: str, max_tokens: int
    ) -> tuple[str, dict[str, Any], dict[str, str]]:
        """(url, body, extra headers) of a plain, non-streamed completion for a summary."""
        base = base_url.rstrip("/")
        if self.name == "anthropic":
            body: dict[str, Any] = {
                "model": model,
                "max_tokens": max_tokens,
                "system": system,
                "messages": [{"role": "user", "content": prompt}],
            }
            return f"{base}/v1/messages", body, {"anthropic-version": "2023-06-01"}
        if self.name == "gemini":
            body = {
                "systemInstruction": {"parts": [{"text": system}]},
                "contents": [{"role": "user", "parts": [{"text": prompt}]}],
                "generationConfig": {"maxOutputTokens": max_tokens, "temperature": 0},
            }
            return f"{base}/v1beta/models/{model}:generateContent", body, {}
        body = {
            "model": model,
            "max_tokens": max_tokens,
            "temperature": 0,
            "messages": [{"role": "system", "content": system}, {"role": "user", "content": prompt}],
        }
        return f"{base}/chat/completions", body, {}

    def read_completion(self, data: dict[str, Any]) -> tuple[str, int, int]:
        """(text, input tokens, output tokens) of the answer to :meth:`summary_request`."""
        if self.name == "anthropic":
            text = "".join(b.get("text", "") for b in data.get("content", []) if b.get("type") == "text")
            u = data.get("usage") or {}
            return text, int(u.get("input_tokens") or 0), int(u.get("output_tokens") or 0)
        if self.name == "gemini":
            cands = data.get("candidates") or [{}]
            parts = (cands[0].get("content") or {}).get("parts") or []
            u = data.get("usageMetadata") or {}
            return (
                "".join(p.get("text", "") for p in parts),
                int(u.get("promptTokenCount") or 0),
                int(u.get("candidatesTokenCount") or 0),
            )
        choice = (data.get("choices") or [{}])[0]
        u = data.get("usage") or {}
        return (
            (choice.get("message") or {}).get("content") or "",
            int(u.get("prompt_tokens") or 0),
            int(u.get("completion_tokens") or 0),
        )


_OPENAI_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    405: "invalid_request_error",
    413: "invalid_request_error",
    429: "rate_limit_error",
    502: "api_error",
    503: "api_error",
    504: "api_error",
}
_ANTHROPIC_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    502: "api_error",
    503: "overloaded_error",
    504: "timeout_error",
}
_GEMINI_STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    413: "INVALID_ARGUMENT",
    502: "UNAVAILABLE",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}

FAMILIES: dict[str, Family] = {
    "openai": Family(
        "openai",
        "Authorization",
        "Bearer ",
        _OPENAI_TYPES,
        speaks_openai_format=True,
        openai_model_labels=frozenset({"openai", "azure"}),
        openai_model_hosts=("api.openai.com", ".openai.azure.com", ".cognitiveservices.azure.com"),
    ),
    "anthropic": Family("anthropic", "x-api-key", "", _ANTHROPIC_TYPES, client_marker="anthropic-version"),
    "gemini": Family("gemini", "x-goog-api-key", "", _GEMINI_STATUS, "INTERNAL"),
}


def family_of_client(headers: Mapping[str, str]) -> Family:
    """The family whose SDK sent a request with these headers; OpenAI's when none says."""
    for family in FAMILIES.values():
        if family.client_marker is not None and family.client_marker in headers:
            return family
    return FAMILIES["openai"]


def _epoch(day: str | None) -> int:
    if not day:
        return 0
    try:
        return calendar.timegm(datetime.fromisoformat(day[:10]).timetuple())
    except ValueError:
        return 0


def get_family(name: str) -> Family:
    """The family for an upstream ``api`` value; unknown names speak OpenAI's dialect."""
    return FAMILIES.get(name) or FAMILIES["openai"]
