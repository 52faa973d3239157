"""Catalog HTTP routes: ``/v1/models`` and ``/v1/models/{id}`` (OpenAI shapes; Anthropic's
when the client sends ``anthropic-version``; other methods: 405 in that shape),
``/catalog/models``, ``/catalog/models/{id}``, ``/catalog/changes``, ``/catalog/sources``,
``POST /catalog/refresh[?provider=]`` (behind the proxy key). Register them before any
catch-all proxy route."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson
from aiohttp import web

from proxy.appkeys import UPSTREAMS
from proxy.catalog.catalog import Catalog
from proxy.catalog.model import ModelInfo
from proxy.catalog.report import evaluate
from proxy.server.errors import error_response
from proxy.wire.families import ModelRow, family_of_client


def _json(data: Any, status: int = 200) -> web.Response:
    return web.Response(body=orjson.dumps(data), status=status, content_type="application/json")


def _unique(models: list[ModelInfo], default_upstream: str) -> list[ModelInfo]:
    """One row per id (the default upstream's when several list it); chat models first."""
    ordered = sorted(models, key=lambda m: (m.upstream != default_upstream, m.upstream or "", m.id))
    seen: dict[str, ModelInfo] = {}
    for model in ordered:
        seen.setdefault(model.id, model)
    return sorted(seen.values(), key=lambda m: m.type != "chat")  # stable: keeps the order within


def _row(m: ModelInfo) -> ModelRow:
    return ModelRow(
        id=m.id,
        created=m.created,
        owned_by=m.upstream or m.provider or "ctxproxy",
        context_window=m.context_window,
        max_output_tokens=m.max_output_tokens,
        listed_by=m.listed_by,
    )


def add_catalog_routes(app: web.Application, catalog_key: web.AppKey[Any]) -> None:
    def catalog(request: web.Request) -> Catalog:
        return request.app[catalog_key]  # type: ignore[no-any-return]

    async def list_models(request: web.Request) -> web.Response:
        cat = catalog(request)
        models = _unique(cat.offered(), cat.settings.default_upstream)
        return _json(family_of_client(request.headers).model_list([_row(m) for m in models]))

    async def get_model(request: web.Request) -> web.Response:
        """One model, answered from the catalog (never forwarded)."""
        cat = catalog(request)
        model_id = request.match_info["id"]
        head, sep, rest = model_id.partition("/")
        if sep and head in cat.providers:
            info = cat.lookup(rest, head)
        else:
            info = cat.lookup(model_id, cat.settings.default_upstream)
        family = family_of_client(request.headers)
        if info.unknown:
            message = f"The model {model_id!r} does not exist or is not known to the catalog"
            return error_response(family.name, 404, message, "model_not_found")
        return _json(family.model_object(_row(info)))

    async def not_allowed(request: web.Request) -> web.Response:
        response = error_response(
            family_of_client(request.headers).name,
            405,
            f"{request.method} is not supported on {request.path}: use GET",
            "method_not_allowed",
        )
        response.headers["Allow"] = "GET, HEAD"
        return response

    async def refresh(request: web.Request) -> web.Response:
        """Refresh a running proxy's catalog now (all sources, or ``?provider=``)."""
        if not request.app[UPSTREAMS].check_proxy_key(request.headers.get("x-ctxproxy-key")):
            return error_response("openai", 401, "missing or invalid x-ctxproxy-key", "invalid_proxy_key")
        provider = request.query.get("provider") or None
        try:
            diff = await catalog(request).refresh(provider)
        except ValueError as exc:
            return error_response("openai", 404, str(exc), "unknown_catalog_source")
        return _json(
            {
                **diff.to_dict(),
                "ok": not diff.errors,
                "errors": diff.errors,
                "not_running": diff.not_running,
                "outcomes": [o.to_dict() for o in diff.outcomes],
            }
        )

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
                return error_response("openai", 400, message, "invalid_since")
            if since.tzinfo is None:
                since = since.replace(tzinfo=UTC)
        return _json({"changes": catalog(request).changes(since)})

    async def catalog_sources(request: web.Request) -> web.Response:
        cat = catalog(request)
        return _json({"sources": cat.source_status(), "evaluation": evaluate(cat.states())})

    app.router.add_get("/v1/models", list_models)
    app.router.add_get("/v1/models/{id:.+}", get_model)
    app.router.add_route("*", "/v1/models", not_allowed)
    app.router.add_route("*", "/v1/models/{id:.+}", not_allowed)
    app.router.add_post("/catalog/refresh", refresh)
    app.router.add_get("/catalog/models", catalog_models)
    app.router.add_get("/catalog/models/{id:.+}", catalog_model)
    app.router.add_get("/catalog/changes", catalog_changes)
    app.router.add_get("/catalog/sources", catalog_sources)
