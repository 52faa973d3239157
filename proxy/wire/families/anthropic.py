"""Anthropic: ``x-api-key`` plus ``anthropic-version``, ``{"type": "error", …}`` bodies, Messages API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from proxy.wire.families.base import Family, ModelRow

API_VERSION = "2023-06-01"

_ERROR_TYPES = {
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


@dataclass(frozen=True)
class AnthropicFamily(Family):
    def error_payload(self, status: int, message: str, code: str, request_id: str | None) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "type": "error",
            "error": {"type": self.error_type(status), "message": message},
        }
        if request_id:
            payload["request_id"] = request_id
        return payload

    def model_object(self, row: ModelRow) -> dict[str, Any]:
        created = f"{row.created or '1970-01-01'}T00:00:00Z"
        return {"type": "model", "id": row.id, "display_name": row.id, "created_at": created}

    def model_list(self, rows: list[ModelRow]) -> dict[str, Any]:
        objects = [self.model_object(row) for row in rows]
        return {
            "data": objects,
            "has_more": False,
            "first_id": objects[0]["id"] if objects else None,
            "last_id": objects[-1]["id"] if objects else None,
        }

    def summary_request(
        self, base_url: str, model: str, system: str, prompt: str, max_tokens: int
    ) -> tuple[str, dict[str, Any], dict[str, str]]:
        body: dict[str, Any] = {
            "model": model,
            "max_tokens": max_tokens,
            "system": system,
            "messages": [{"role": "user", "content": prompt}],
        }
        return f"{base_url.rstrip('/')}/v1/messages", body, dict(self.fixed_headers)

    def read_completion(self, data: dict[str, Any]) -> tuple[str, int, int]:
        text = "".join(b.get("text", "") for b in data.get("content", []) if b.get("type") == "text")
        u = data.get("usage") or {}
        return text, int(u.get("input_tokens") or 0), int(u.get("output_tokens") or 0)


ANTHROPIC = AnthropicFamily(
    "anthropic",
    "x-api-key",
    "",
    _ERROR_TYPES,
    client_marker="anthropic-version",
    fixed_headers=(("anthropic-version", API_VERSION),),
)
