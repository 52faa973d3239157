"""create_app(settings): wires every component onto the aiohttp app. No module-level state."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import aiohttp
import structlog
from aiohttp import web

from proxy.appkeys import (
    CATALOG,
    CHAT_HOOKS,
    FINGERPRINTS,
    HTTP,
    KVSTORE,
    LIFECYCLE,
    METRICS,
    ROUTES,
    SETTINGS,
    STATS,
    UPSTREAMS,
)
from proxy.catalog import Catalog
from proxy.catalog.http import add_catalog_routes
from proxy.compress import Compactor, TokenCounter
from proxy.compress.encodings import counts_tokens
from proxy.config import Settings
from proxy.observability.memory import trim_heap
from proxy.observability.metrics import Metrics
from proxy.server.admin import add_admin_routes
from proxy.server.compression import CompressionHooks
from proxy.server.forward import proxy_handler
from proxy.server.hooks import ChatHooks, PassthroughHooks
from proxy.server.identity import Fingerprints
from proxy.server.lifecycle import Lifecycle
from proxy.server.routing import Routes
from proxy.server.stats import Stats
from proxy.server.summaries import build_llm_summarizer
from proxy.server.upstreams import UpstreamRegistry
from proxy.status import add_status_routes, status_ctx
from proxy.storage import create_kv
from proxy.tasks import BackgroundTasks

log = structlog.get_logger("ctxproxy")


def upstream_session(settings: Settings) -> aiohttp.ClientSession:
    s = settings.server
    connector = aiohttp.TCPConnector(
        limit=s.pool_size,
        limit_per_host=s.pool_size_per_host,
        ttl_dns_cache=300,
        keepalive_timeout=30,
    )
    timeout = aiohttp.ClientTimeout(
        total=None, connect=s.connect_timeout_s, sock_connect=s.connect_timeout_s, sock_read=s.read_timeout_s
    )
    return aiohttp.ClientSession(
        connector=connector,
        timeout=timeout,
        auto_decompress=False,  # forward the upstream's bytes as they are
        cookie_jar=aiohttp.DummyCookieJar(),
        trust_env=False,
        read_bufsize=2**17,
    )


async def _http_ctx(app: web.Application) -> AsyncIterator[None]:
    """The one HTTP client session: upstreams, the catalog's lists, summaries, webhooks."""
    app[HTTP] = upstream_session(app[SETTINGS])
    yield
    await app[HTTP].close()


async def _storage_ctx(app: web.Application) -> AsyncIterator[None]:
    app[KVSTORE] = create_kv(app[SETTINGS].storage, app[METRICS])
    yield
    await app[KVSTORE].close()


async def _catalog_ctx(app: web.Application) -> AsyncIterator[None]:
    catalog = Catalog(app[SETTINGS], metrics=app[METRICS], kv=app[KVSTORE], session=app[HTTP])
    await catalog.start()
    app[CATALOG] = catalog
    catalog.start_background()
    yield
    await catalog.close()


async def _chat_hooks_ctx(app: web.Application) -> AsyncIterator[None]:
    """The chat hooks, built once its parts exist (catalog; ``summarizer.mode: llm |
    upstream``: the LLM summarizer, litellm imported here, off-loop)."""
    hooks = await build_chat_hooks(app)
    app[CHAT_HOOKS] = hooks
    yield
    await hooks.close()  # shared-store writes in flight, before the store closes


async def _become_ready(app: web.Application) -> None:
    """Ready once the tokenizer encodings the upstreams need are loaded (in a worker thread,
    while /livez already answers), so that the first request costs what the tenth does."""
    life, hooks = app[LIFECYCLE], app[CHAT_HOOKS]
    names = hooks.encodings()
    if names:
        life.waiting = "encodings"
        started = time.perf_counter()
        try:
            await hooks.warm(names)
        except Exception as exc:  # counting then loads lazily (and fails open) per request
            log.error("startup.encodings_failed", encodings=names, error=type(exc).__name__)
        else:
            log.info(
                "startup.encodings_loaded", encodings=names, ms=round((time.perf_counter() - started) * 1e3)
            )
    trim_heap()  # what building the encodings freed goes back to the system
    life.waiting = None
    life.ready = True


TRIM_EVERY_S = 60.0


async def _trim_heap_periodically() -> None:
    """Freed C-heap pages back to the system once a minute (in a thread: it walks the heap)."""
    while True:
        await asyncio.sleep(TRIM_EVERY_S)
        await asyncio.to_thread(trim_heap)


async def _ready_ctx(app: web.Application) -> AsyncIterator[None]:
    tasks = BackgroundTasks("app")
    tasks.spawn("become-ready", _become_ready(app))
    tasks.spawn("trim-heap", _trim_heap_periodically())
    yield
    await tasks.close()
    app[LIFECYCLE].ready = False


async def build_chat_hooks(app: web.Application) -> ChatHooks:
    """Compression on when configured (its counters on :data:`STATS`); otherwise chat requests
    pass through untouched and nothing is counted."""
    settings = app[SETTINGS]
    if not counts_tokens(settings):
        return PassthroughHooks()
    catalog = app[CATALOG]
    # money saved = tokens saved × the catalog's input price of the model
    stats = app[STATS] = Stats()
    summarizer = None
    if settings.compression.summarizer.mode != "extractive":
        summarizer = await build_llm_summarizer(app, stats)
    compactor = Compactor(
        settings.compression,
        kv=app[KVSTORE],
        counter=TokenCounter(),
        summarizer=summarizer,
        state_ttl_s=settings.storage.ttl_s,
    )
    return CompressionHooks(settings, compactor, app[METRICS], stats, kv=app[KVSTORE], catalog=catalog)


def create_app(settings: Settings) -> web.Application:
    app = web.Application(client_max_size=int(settings.server.max_body_mb * 1024 * 1024))
    app[SETTINGS] = settings
    app[METRICS] = Metrics()
    app[LIFECYCLE] = Lifecycle()
    app[UPSTREAMS] = UpstreamRegistry(settings.upstreams, settings.server)
    app[ROUTES] = Routes(app[UPSTREAMS], settings.default_upstream)
    app[FINGERPRINTS] = Fingerprints()
    # By dependency order; each context sets what the later ones (and the handlers) use.
    app.cleanup_ctx.extend([_http_ctx, _storage_ctx, _catalog_ctx, _chat_hooks_ctx, status_ctx, _ready_ctx])

    add_admin_routes(app)
    add_catalog_routes(app, CATALOG)
    add_status_routes(app)
    app.router.add_route("*", r"/{path:[\s\S]*}", proxy_handler)  # any path, even a decoded %0a
    return app
