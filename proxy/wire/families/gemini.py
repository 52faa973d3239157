"""Google Gemini: ``x-goog-api-key``, ``{"error": {"code", "message", "status"}}`` bodies, generateContent."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from proxy.wire.families.base import Family

_STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    413: "INVALID_ARGUMENT",
    502: "UNAVAILABLE",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}


@dataclass(frozen=True)
class GeminiFamily(Family):
    def error_payload(self, status: int, message: str, code: str, request_id: str | None) -> dict[str, Any]:
        return {"error": {"code": status, "message": message, "status": self.error_type(status)}}

    def summary_request(
        self, base_url: str, model: str, system: str, prompt: str, max_tokens: int
    ) -> tuple[str, dict[str, Any], dict[str, str]]:
        body: dict[str, Any] = {
            "systemInstruction": {"parts": [{"text": system}]},
            "contents": [{"role": "user", "parts": [{"text": prompt}]}],
            "generationConfig": {"maxOutputTokens": max_tokens, "temperature": 0},
        }
        url = f"{base_url.rstrip('/')}/v1beta/models/{model}:generateContent"
        return url, body, dict(self.fixed_headers)

    def read_completion(self, data: dict[str, Any]) -> tuple[str, int, int]:
        cands = data.get("candidates") or [{}]
        parts = (cands[0].get("content") or {}).get("parts") or []
        u = data.get("usageMetadata") or {}
        return (
            "".join(p.get("text", "") for p in parts),
            int(u.get("promptTokenCount") or 0),
            int(u.get("candidatesTokenCount") or 0),
        )


GEMINI = GeminiFamily("gemini", "x-goog-api-key", "", _STATUS, "INTERNAL")
