"""``serve --workers N``: every worker answers its own part of ``/stats`` and ``/status.json``
on a Unix socket in the run's private directory; the worker that got the request asks the
others and sums. Nothing leaves the machine; the directory is the serve process's own
(mode 0700) and is removed when it exits."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import structlog
from aiohttp import web

log = structlog.get_logger("ctxproxy.status")

Export = Callable[[], Awaitable[dict[str, Any]]]
_ASK_TIMEOUT_S = 2.0


class WorkerPeers:
    def __init__(self, run_dir: Path) -> None:
        self.dir = run_dir / "workers"
        self.dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.path = self.dir / f"{os.getpid()}.sock"
        self._runner: web.AppRunner | None = None

    async def start(self, export: Export) -> None:
        async def handle(_request: web.Request) -> web.Response:
            return web.Response(body=orjson.dumps(await export(), option=orjson.OPT_NON_STR_KEYS))

        app = web.Application()
        app.router.add_get("/export", handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.UnixSite(self._runner, str(self.path)).start()

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        self.path.unlink(missing_ok=True)

    def others(self) -> list[Path]:
        return sorted(p for p in self.dir.glob("*.sock") if p != self.path)

    async def gather(self) -> list[dict[str, Any]]:
        """The other workers' exports (a worker that does not answer in time is left out)."""
        results = await asyncio.gather(*(self._ask(p) for p in self.others()))
        return [r for r in results if r is not None]

    async def _ask(self, path: Path) -> dict[str, Any] | None:
        timeout = aiohttp.ClientTimeout(total=_ASK_TIMEOUT_S)
        try:
            async with aiohttp.ClientSession(
                connector=aiohttp.UnixConnector(path=str(path)), timeout=timeout
            ) as session:
                async with session.get("http://worker/export") as resp:
                    data = orjson.loads(await resp.read())
        except (OSError, TimeoutError, aiohttp.ClientError, orjson.JSONDecodeError) as exc:
            log.warning("status.worker_unreachable", socket=path.name, error=type(exc).__name__)
            return None
        return data if isinstance(data, dict) else None
