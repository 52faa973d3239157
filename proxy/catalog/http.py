"""Catalog HTTP routes: ``/v1/models`` (OpenAI list shape; Anthropic's when the client sends
``anthropic-version``), ``/catalog/models``, ``/catalog/models/{id}``, ``/catalog/changes``,
``/catalog/sources``. Register them before any catch-all proxy route."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime
from typing import Any

import orjson
from aiohttp import web

from proxy.catalog.catalog import Catalog
from proxy.catalog.model import ModelInfo
from proxy.catalog.report import evaluate


def _json(data: Any, status: int = 200) -> web.Response:
    return web.Response(body=orjson.dumps(data), status=status, content_type="application/json")


def _epoch(day: str | None) -> int:
    if not day:
        return 0
    try:
        return calendar.timegm(datetime.fromisoformat(day[:10]).timetuple())
    except ValueError:
        return 0


def _unique(models: list[ModelInfo], default_upstream: str) -> list[ModelInfo]:
    """One row per id, the default upstream's first."""
    ordered = sorted(models, key=lambda m: (m.upstream != default_upstream, m.upstream or "", m.id))
    seen: dict[str, ModelInfo] = {}
    for model in ordered:
        seen.setdefault(model.id, model)
    return list(seen.values())


def add_catalog_routes(app: web.Application, catalog_key: web.AppKey[Any]) -> None:
    def catalog(request: web.Request) -> Catalog:
        return request.app[catalog_key]  # type: ignore[no-any-return]

    async def list_models(request: web.Request) -> web.Response:
        cat = catalog(request)
        models = _unique(cat.models(), cat.settings.default_upstream)
        if "anthropic-version" in request.headers:
            rows = [
                {
                    "type": "model",
                    "id": m.id,
                    "display_name": m.id,
                    "created_at": f"{m.created or '1970-01-01'}T00:00:00Z",
                }
                for m in models
            ]
            return _json(
                {
                    "data": rows,
                    "has_more": False,
                    "first_id": rows[0]["id"] if rows else None,
                    "last_id": rows[-1]["id"] if rows else None,
                }
            )
        data: list[dict[str, Any]] = [
            {
                "id": m.id,
                "object": "model",
                "created": _epoch(m.created),
                "owned_by": m.upstream or m.provider or "ctxproxy",
                "context_window": m.context_window,
                "max_output_tokens": m.max_output_tokens,
            }
            for m in models
        ]
        return _json({"object": "list", "data": data})

    async def catalog_models(request: web.Request) -> web.Response:
        provider = request.query.get("provider") or None
        return _json({"models": [m.to_dict() for m in catalog(request).models(provider)]})

    async def catalog_model(request: web.Request) -> web.Response:
        upstream = request.query.get("upstream") or None
        info = catalog(request).lookup(request.match_info["id"], upstream)
        return _json(info.to_dict())

    async def catalog_changes(request: web.Request) -> web.Response:
        raw = request.query.get("since")
        since = None
        if raw:
            try:
                since = datetime.fromisoformat(raw.replace("Z", "+00:00"))
            except ValueError:
                message = f"since: not an ISO 8601 time: {raw!r}"
                return _json(
                    {"error": {"message": message, "type": "invalid_request_error", "code": None}}, 400
                )
            if since.tzinfo is None:
                since = since.replace(tzinfo=UTC)
        return _json({"changes": catalog(request).changes(since)})

    async def catalog_sources(request: web.Request) -> web.Response:
        cat = catalog(request)
        return _json({"sources": cat.source_status(), "evaluation": evaluate(cat.states())})

    app.router.add_get("/v1/models", list_models)
    app.router.add_get("/catalog/models", catalog_models)
    app.router.add_get("/catalog/models/{id:.+}", catalog_model)
    app.router.add_get("/catalog/changes", catalog_changes)
    app.router.add_get("/catalog/sources", catalog_sources)
