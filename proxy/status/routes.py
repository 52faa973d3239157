"""The status page: ``GET /`` (HTML), ``GET /status.json`` (its data), ``POST /status/login``,
``/status/static/*`` (the page's own JS and CSS, shipped in the package: no CDN)."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator
from html import escape
from pathlib import Path
from typing import Any

import orjson
from aiohttp import web

from proxy.appkeys import CATALOG, KVSTORE, LIFECYCLE, METRICS, SETTINGS, STATS, STATUS, WORKERS
from proxy.server.errors import error_response
from proxy.status import auth, series, view
from proxy.status.recorder import StatusRecorder

STATIC = Path(__file__).resolve().parent / "static"
_CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'"


async def status_ctx(app: web.Application) -> AsyncIterator[None]:
    """Cleanup context (after the chat hooks', which sets :data:`STATS`): the recorder's ticks."""
    settings = app[SETTINGS]
    stats = app.get(STATS)
    kv = app[KVSTORE] if settings.storage.backend == "redis" else None
    recorder = StatusRecorder(
        settings.status,
        app[METRICS],
        stats.raw if stats is not None else lambda: None,
        kv,
        peak=app[LIFECYCLE].take_peak,
    )
    app[STATUS] = recorder
    recorder.start()
    yield
    await recorder.close()


async def local_export(app: web.Application) -> dict[str, Any]:
    return {**app[STATUS].export(), "in_flight": app[LIFECYCLE].in_flight, "pid": os.getpid()}


async def all_exports(app: web.Application) -> list[dict[str, Any]]:
    """This worker's part and, under ``--workers N``, every other worker's."""
    parts = [await local_export(app)]
    peers = app.get(WORKERS)
    if peers is not None:
        parts += await peers.gather()
    return parts


async def status_json(request: web.Request) -> web.Response:
    if not auth.allowed(request):
        return error_response("openai", 401, "missing or invalid proxy key", "invalid_proxy_key")
    app = request.app
    recorder = app[STATUS]
    stored = await recorder.stored()  # first: a bucket flushed meanwhile is missed once, never counted twice
    parts = await all_exports(app)
    buckets = series.merge([stored, *(p.get("buckets") or {} for p in parts)])
    data = view.build(
        buckets,
        [p.get("stats") or {} for p in parts],
        bucket_s=recorder.bucket_s,
        window=recorder.window,
        now=time.time(),
        in_flight=int(sum(p.get("in_flight", 0) for p in parts)),
        workers=len(parts),
        shared=recorder.shared,
    )
    catalog = app.get(CATALOG)
    changes = await asyncio.to_thread(catalog.changes) if catalog is not None else []
    data["catalog"] = view.catalog_section(catalog, changes)
    data["per_worker"] = [
        {
            "pid": p.get("pid"),
            "requests": ((p.get("stats") or {}).get("total") or {}).get("requests", 0),
            "in_flight": p.get("in_flight", 0),
        }
        for p in parts
    ]
    return web.Response(
        body=orjson.dumps(data), content_type="application/json", headers={"Cache-Control": "no-store"}
    )


def _login_page(message: str = "") -> web.Response:
    note = f'<p class="error">{escape(message)}</p>' if message else ""
    html = (STATIC / "login.html").read_text(encoding="utf-8").replace("<!--NOTE-->", note)
    return web.Response(
        text=html, content_type="text/html", status=401, headers={"Content-Security-Policy": _CSP}
    )


def _home() -> web.HTTPSeeOther:
    return web.HTTPSeeOther("/", headers={"Cache-Control": "no-store"})


async def page(request: web.Request) -> web.StreamResponse:
    key = request.query.get("key")
    if key is not None:  # ``/?key=…`` once: keep it in a cookie, drop it from the address bar
        if not auth.valid_key(request, key):
            return _login_page("That key is not one of server.proxy_keys.")
        redirect = _home()
        auth.set_cookie(redirect, request, key)
        raise redirect
    if not auth.allowed(request):
        return _login_page()
    return web.FileResponse(
        STATIC / "index.html", headers={"Content-Security-Policy": _CSP, "Cache-Control": "no-store"}
    )


async def login(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    key = form.get("key")
    if not isinstance(key, str) or not auth.valid_key(request, key):
        return _login_page("That key is not one of server.proxy_keys.")
    redirect = _home()
    auth.set_cookie(redirect, request, key)
    raise redirect


def add_status_routes(app: web.Application) -> None:
    app.router.add_get("/", page)
    app.router.add_get("/status.json", status_json)
    app.router.add_post("/status/login", login)
    app.router.add_static("/status/static", STATIC, append_version=False)
