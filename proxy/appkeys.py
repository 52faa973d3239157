"""Typed aiohttp AppKeys: every shared component lives on the app, none at module level."""

from __future__ import annotations

from typing import TYPE_CHECKING

import aiohttp
from aiohttp import web

from proxy.config import Settings
from proxy.observability.metrics import Metrics
from proxy.storage.base import KV

if TYPE_CHECKING:
    from proxy.catalog import Catalog
    from proxy.server.hooks import ChatHooks
    from proxy.server.identity import Fingerprints
    from proxy.server.lifecycle import Lifecycle
    from proxy.server.routing import Routes
    from proxy.server.stats import Stats
    from proxy.server.upstreams import UpstreamRegistry
    from proxy.status.recorder import StatusRecorder
    from proxy.status.workers import WorkerPeers

SETTINGS = web.AppKey("settings", Settings)
METRICS = web.AppKey("metrics", Metrics)
KVSTORE = web.AppKey("kv", KV)  # type: ignore[type-abstract]
HTTP = web.AppKey("http", aiohttp.ClientSession)
UPSTREAMS: web.AppKey[UpstreamRegistry] = web.AppKey("upstreams")
ROUTES: web.AppKey[Routes] = web.AppKey("routes")  # request path → route, memoized
FINGERPRINTS: web.AppKey[Fingerprints] = web.AppKey("fingerprints")  # anonymous agents' ids, memoized
LIFECYCLE: web.AppKey[Lifecycle] = web.AppKey("lifecycle")
CATALOG: web.AppKey[Catalog] = web.AppKey("catalog")
CHAT_HOOKS: web.AppKey[ChatHooks] = web.AppKey("chat_hooks")
STATS: web.AppKey[Stats] = web.AppKey("stats")  # only when compression is configured (/stats, status page)
STATUS: web.AppKey[StatusRecorder] = web.AppKey("status")
WORKERS: web.AppKey[WorkerPeers] = web.AppKey("workers")  # only under ``serve --workers N``
