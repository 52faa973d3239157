"""``ctxproxy serve``: one process per worker (SO_REUSEPORT), uvloop when installed, graceful drain."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import structlog
from aiohttp import web
from prometheus_client import values

from proxy.app import create_app
from proxy.appkeys import LIFECYCLE, WORKERS
from proxy.compress.encodings import preload_encodings
from proxy.config import Settings
from proxy.observability.logging import configure_logging
from proxy.observability.memory import limit_arenas, trim_heap
from proxy.server.bind import note_bound
from proxy.status.routes import local_export
from proxy.status.workers import WorkerPeers

log = structlog.get_logger("ctxproxy")


async def _serve_async(settings: Settings, reuse_port: bool, run_dir: str | None = None) -> None:
    app = create_app(settings)
    peers = WorkerPeers(Path(run_dir)) if run_dir else None
    if peers is not None:
        app[WORKERS] = peers
    runner = web.AppRunner(app, handler_cancellation=True, access_log=None)
    await runner.setup()
    if peers is not None:
        await peers.start(lambda: local_export(app))
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
    if peers is not None:
        await peers.close()
    await runner.cleanup()


def _run_one(settings: Settings, reuse_port: bool, run_dir: str | None = None) -> None:
    configure_logging(settings.logging.level, settings.logging.format, final=True)
    try:
        import uvloop
    except ImportError:
        asyncio.run(_serve_async(settings, reuse_port, run_dir))
    else:
        uvloop.run(_serve_async(settings, reuse_port, run_dir))
    if run_dir:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(os.getpid())  # its live gauges leave the sums


@contextlib.contextmanager
def run_directory(workers: int) -> Iterator[Path | None]:
    """Under ``--workers N`` (N > 1): one private directory for this run, removed on exit. It holds
    the workers' metric files (``prometheus/``: prometheus_client's multiprocess mode, which the
    spawned workers find through ``PROMETHEUS_MULTIPROC_DIR``, set by the CLI entry point:
    :func:`metrics_dir`) and their stats sockets. One worker: None."""
    if workers <= 1:
        yield None
        return
    run_dir = Path(tempfile.mkdtemp(prefix="ctxproxy-run-"))
    metrics_dir(run_dir).mkdir()
    try:
        yield run_dir
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)


def metrics_dir(run_dir: Path) -> Path:
    """Where the workers of a run write their metric files."""
    return run_dir / "prometheus"


def serve(settings: Settings, run_dir: Path | None = None) -> None:
    """Serve until SIGTERM/SIGINT. With ``server.workers`` > 1, ``run_dir`` is the run's
    :func:`run_directory` and ``PROMETHEUS_MULTIPROC_DIR`` names its :func:`metrics_dir` (the
    spawned workers read it when they import prometheus_client)."""
    limit_arenas()  # before any thread starts (the workers inherit it)
    # The encodings are built here, in the main thread before the event loop and any other
    # thread start, then the heap is trimmed: built in a worker thread beside the starting app,
    # their transient Python copy left about 9 MB of fragments resident. The workers of
    # ``--workers N`` are forked after it and share the pages. The app's own warm-up then finds
    # them loaded (and still reports a failure here, which is not raised).
    preload_encodings(settings)
    trim_heap()
    workers = settings.server.workers
    if workers <= 1:
        _run_one(settings, reuse_port=False)
        return
    if run_dir is None or os.environ.get("PROMETHEUS_MULTIPROC_DIR") != str(metrics_dir(run_dir)):
        raise RuntimeError("serve with workers > 1 needs run_directory() and PROMETHEUS_MULTIPROC_DIR set")
    _serve_workers(settings, workers, str(run_dir))


def _serve_workers(settings: Settings, workers: int, run_dir: str) -> None:
    """The workers are forked once the tokenizer encodings are loaded (≈44 MB o200k, ≈24 MB
    cl100k, immutable): they share those pages instead of loading a copy each (:func:`serve`
    loaded them)."""
    # prometheus_client chose its value class when it was imported, before the CLI set
    # PROMETHEUS_MULTIPROC_DIR: the forked workers must write the run's metric files.
    values.ValueClass = values.get_value_class()
    import multiprocessing  # only with --workers: a single process does not need it resident

    ctx = multiprocessing.get_context("fork")
    procs = [
        ctx.Process(target=_run_one, args=(settings, True, run_dir), daemon=False) for _ in range(workers)
    ]
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
