"""Admin endpoints: /livez, /readyz, /metrics, /stats."""

from __future__ import annotations

from typing import Any

import orjson
from aiohttp import web

from proxy.appkeys import LIFECYCLE, METRICS, STATS, UPSTREAMS, WORKERS
from proxy.server.errors import error_response
from proxy.server.stats import merge_raw


async def livez(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    life = request.app[LIFECYCLE]
    if life.draining:
        return web.json_response({"status": "draining", "in_flight": life.in_flight}, status=503)
    if not life.ready:
        body = (
            {"status": "starting"}
            if life.waiting is None
            else {"status": "starting", "waiting": life.waiting}
        )
        return web.json_response(body, status=503)
    return web.json_response({"status": "ready", "in_flight": life.in_flight})


async def metrics(request: web.Request) -> web.Response:
    body = request.app[METRICS].render()
    return web.Response(body=body, headers={"Content-Type": "text/plain; version=0.0.4; charset=utf-8"})


async def stats(request: web.Request) -> web.Response:
    """Per-agent/model statistics: agent names are the operator's business, so with
    ``server.proxy_keys`` set this needs ``x-ctxproxy-key`` like proxied requests."""
    if not request.app[UPSTREAMS].check_proxy_key(request.headers.get("x-ctxproxy-key")):
        return error_response("openai", 401, "missing or invalid x-ctxproxy-key", "invalid_proxy_key")
    stats = request.app.get(STATS)  # None: compression is off, nothing is counted
    peers = request.app.get(WORKERS)
    data: dict[str, Any]
    if stats is None:
        data = {"total": {}, "agents": {}, "models": {}}
    elif peers is not None:  # --workers N: every worker's counts, summed
        data = merge_raw([stats.raw(), *(p.get("stats") or {} for p in await peers.gather())])
    else:
        data = stats.view()
    return web.Response(body=orjson.dumps(data), content_type="application/json")


def add_admin_routes(app: web.Application) -> None:
    app.router.add_get("/livez", livez)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)
    app.router.add_get("/stats", stats)
