"""Admin endpoints: /livez, /readyz, /metrics, /stats."""

from __future__ import annotations

import orjson
from aiohttp import web

from proxy.keys import LIFECYCLE, METRICS, PIPELINE


async def livez(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    life = request.app[LIFECYCLE]
    if life.draining:
        return web.json_response({"status": "draining", "in_flight": life.in_flight}, status=503)
    if not life.ready:
        return web.json_response({"status": "starting"}, status=503)
    return web.json_response({"status": "ready", "in_flight": life.in_flight})


async def metrics(request: web.Request) -> web.Response:
    body = request.app[METRICS].render()
    return web.Response(body=body, headers={"Content-Type": "text/plain; version=0.0.4; charset=utf-8"})


async def stats(request: web.Request) -> web.Response:
    pipeline = request.app[PIPELINE]
    data = (
        pipeline.stats_view()
        if hasattr(pipeline, "stats_view")
        else {"total": {}, "agents": {}, "models": {}}
    )
    return web.Response(body=orjson.dumps(data), content_type="application/json")


def add_admin_routes(app: web.Application) -> None:
    app.router.add_get("/livez", livez)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)
    app.router.add_get("/stats", stats)
