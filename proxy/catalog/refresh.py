"""One refresh round: fetch the chosen sources concurrently (network only, no lock), check
each result, then install the good ones into the source states (in a worker thread, under
the catalog's lock). A failure keeps the source's last good list."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping

import aiohttp
import structlog

from proxy.catalog.fetch import Fetcher, FetchError, NotModified
from proxy.catalog.metrics import CatalogMetrics
from proxy.catalog.model import SourceModel
from proxy.catalog.progress import Progress, SourceOutcome, Status
from proxy.catalog.snapshot import now_iso
from proxy.catalog.sources import NativeSource, Source
from proxy.catalog.sources.base import DocumentSource
from proxy.catalog.state import SourceState

log = structlog.get_logger("ctxproxy.catalog")

Result = list[SourceModel] | FetchError | NotModified
Seen = Mapping[str, dict[str, str]]  # URL → the ETag / Last-Modified / hash seen this round


class Refresher:
    def __init__(
        self,
        states: dict[str, SourceState],
        relevant: frozenset[str],
        bundled_name: str,
        metrics: CatalogMetrics | None,
        quiet: bool = False,  # a CLI command reports failures in its own progress lines
    ) -> None:
        self._quiet = quiet
        self._states = states  # the catalog's, updated in place
        self._relevant = relevant
        self._bundled_name = bundled_name
        self._metrics = metrics
        self.retry_after: dict[str, float | None] = {}
        self._down: set[str] = set()  # local servers last seen not running (logged once)
        self._took: dict[str, float] = {}  # seconds the last fetch of each source took

    async def fetch_all(
        self,
        session: aiohttp.ClientSession,
        timeout_s: float,
        chosen: list[Source],
        progress: Progress | None = None,
    ) -> tuple[list[Result], Seen]:
        """Network only (no lock held): a slow source never delays the others."""
        http = Fetcher(session, timeout_s)

        async def one(source: Source) -> Result:
            started = time.perf_counter()
            result = await _fetch(http, source)
            if not isinstance(result, (FetchError, NotModified)):
                try:
                    source.validate(result, self._baseline(source))
                except FetchError as exc:
                    result = exc
            self._took[source.name] = time.perf_counter() - started
            if progress is not None:
                progress(self.outcome(source, result))
            return result

        results = await asyncio.gather(*(one(s) for s in chosen))
        return results, http.validators

    def outcome(self, source: Source, result: Result) -> SourceOutcome:
        took = self._took.get(source.name, 0.0)
        if isinstance(result, NotModified):
            return SourceOutcome(source.name, "not_modified", seconds=took)
        if isinstance(result, FetchError):
            status: Status = "not_running" if _not_running(source, result) else "failed"
            return SourceOutcome(
                source.name,
                status,
                error=result.kind,
                seconds=took,
                expected=source.expected,
                detail=str(result),
            )
        return SourceOutcome(source.name, "ok", models=len(result), seconds=took)

    def apply(
        self, chosen: list[Source], results: list[Result], seen: Seen
    ) -> tuple[dict[str, str], list[str]]:
        """Install good results into the source states (lock held; in a worker thread):
        (failures, changed)."""
        now = time.time()
        stamp = now_iso()
        errors: dict[str, str] = {}
        applied: list[str] = []
        for source, result in zip(chosen, results, strict=True):
            state = self._states.setdefault(source.name, SourceState(source.name))
            if isinstance(result, NotModified):
                state.unchanged(now)
                self._count(source.name, "not_modified")
                continue
            if isinstance(result, FetchError):
                self.retry_after[source.name] = result.retry_after
                if _not_running(source, result):
                    state.fail("not_running", now)
                    if source.name not in self._down:  # once, until it answers again
                        self._down.add(source.name)
                        log.info("catalog_local_not_running", source=source.name, upstream=source.upstream)
                    self._count(source.name, "not_running")
                    continue
                state.fail(result.kind, now)
                errors[source.name] = result.kind
                if not self._quiet:
                    log.warning(
                        "catalog_refresh_failed", source=source.name, kind=result.kind, error=str(result)
                    )
                if self._metrics is not None:
                    self._metrics.refresh_errors.labels(source.name, result.kind).inc()
                self._count(source.name, "error")
                continue
            if source.name in self._down:
                self._down.discard(source.name)
                log.info("catalog_local_running", source=source.name)
            state.apply(self._keep(source, result), now, stamp, track=isinstance(source, NativeSource))
            state.raw_count = (source.raw_count if isinstance(source, DocumentSource) else 0) or len(result)
            if source.url:
                state.validators = dict(seen.get(source.url) or {})
                source.validators = dict(state.validators)
            self.retry_after[source.name] = None
            applied.append(source.name)
            self._count(source.name, "ok")
        return errors, applied

    def _count(self, name: str, outcome: str) -> None:
        if self._metrics is not None:
            self._metrics.refreshes.labels(name, outcome).inc()

    def _keep(self, source: Source, models: list[SourceModel]) -> list[SourceModel]:
        if source.upstream:
            return models
        return [m for m in models if m.provider in self._relevant]

    def _baseline(self, source: Source) -> int:
        state = self._states.get(source.name)
        if state is not None and state.raw_count:
            return state.raw_count
        if source.name == "litellm" and (bundled := self._states.get(self._bundled_name)):
            return bundled.raw_count
        return 0


def _not_running(source: Source, error: FetchError) -> bool:
    """A keyless local server (vLLM, Ollama, LM Studio) that refuses or ignores us."""
    return source.local and error.kind in ("network", "timeout")


async def _fetch(http: Fetcher, source: Source) -> Result:
    try:
        return await source.fetch(http)
    except (FetchError, NotModified) as exc:
        return exc
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        return FetchError("malformed", type(exc).__name__)
