"""``ctxproxy serve``: one process per worker (SO_REUSEPORT), uvloop when installed, graceful drain."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import sys

import structlog
from aiohttp import web

from proxy.app import create_app
from proxy.config import Settings
from proxy.keys import LIFECYCLE
from proxy.observability.logging import configure_logging
from proxy.server.bind import note_bound

log = structlog.get_logger("ctxproxy")


async def _serve_async(settings: Settings, reuse_port: bool) -> None:
    app = create_app(settings)
    runner = web.AppRunner(app, handler_cancellation=True, access_log=None)
    await runner.setup()
    site = web.TCPSite(
        runner, settings.server.host, settings.server.port, reuse_port=reuse_port or None, backlog=1024
    )
    await site.start()
    injecting = note_bound(app, runner.addresses)
    log.info(
        "server.started",
        host=settings.server.host,
        port=settings.server.port,
        pid=os.getpid(),
        upstreams=len(settings.upstreams),
        key_injection=injecting,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    life = app[LIFECYCLE]
    log.info("server.draining", in_flight=life.in_flight, grace_s=settings.server.drain_grace_s)
    clean = await life.drain(settings.server.drain_grace_s)
    log.info("server.stopping", drained=clean, in_flight=life.in_flight)
    await runner.cleanup()


def _run_one(settings: Settings, reuse_port: bool) -> None:
    configure_logging(settings.logging.level, settings.logging.format)
    try:
        import uvloop
    except ImportError:
        asyncio.run(_serve_async(settings, reuse_port))
    else:
        uvloop.run(_serve_async(settings, reuse_port))


def serve(settings: Settings) -> None:
    workers = settings.server.workers
    if workers <= 1:
        _run_one(settings, reuse_port=False)
        return
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_run_one, args=(settings, True), daemon=False) for _ in range(workers)]
    for p in procs:
        p.start()

    def forward(signum: int, _frame: object) -> None:
        for p in procs:
            if p.pid and p.is_alive():
                os.kill(p.pid, signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    for p in procs:
        p.join()
    sys.exit(max((p.exitcode or 0) for p in procs))
