"""The live model catalog: start from disk, answer lookups, refresh in the background.

``lookup`` is synchronous and never waits on the network: refreshes build a new
:class:`CatalogView` off the event loop and swap it in with one assignment.
"""

from __future__ import annotations

import asyncio
import gc
import random
import time
from collections.abc import Coroutine, Mapping
from datetime import UTC, datetime
from typing import Any

import aiohttp
import orjson
import structlog

from proxy.catalog import store
from proxy.catalog.bulk import no_breathing, no_gc, without_gc
from proxy.catalog.diff import CatalogDiff, compute
from proxy.catalog.fetch import Fetcher, FetchError, NotModified
from proxy.catalog.groups import SourceMeta, build_groups, iso
from proxy.catalog.ids import MODEL_VENDORS, norm
from proxy.catalog.merge import Defaults
from proxy.catalog.metrics import CatalogMetrics
from proxy.catalog.model import ModelInfo, SourceModel
from proxy.catalog.progress import Progress, SourceOutcome, Status
from proxy.catalog.replicas import SharedSources
from proxy.catalog.schedule import first_delay, next_delay
from proxy.catalog.sources import NativeSource, Source, build_sources
from proxy.catalog.sources.base import TIER_NATIVE, DocumentSource
from proxy.catalog.sources.litellm_map import (
    LiteLLMBundled,
    bundled_path,
    entry_count,
    file_signature,
    parse_map,
)
from proxy.catalog.state import SourceState
from proxy.catalog.switches import RequestTraits, switched
from proxy.catalog.view import CatalogView
from proxy.config import Settings
from proxy.observability.metrics import Metrics
from proxy.storage.base import KV

log = structlog.get_logger("ctxproxy.catalog")

_WARN_MAX = 1000
LOCAL_PROVIDERS = frozenset({"vllm", "ollama", "lmstudio"})
COMMIT_DEBOUNCE_S = 1.0


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Catalog:
    def __init__(
        self,
        settings: Settings,
        *,
        metrics: Metrics | None = None,
        kv: KV | None = None,
        session: aiohttp.ClientSession | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.settings = settings
        self._cfg = settings.catalog
        self.directory = store.cache_dir(self._cfg.cache_dir)
        plan = build_sources(settings, environ)
        self.skipped = plan.skipped
        self.providers = plan.providers
        self._bundled = LiteLLMBundled()
        self._sources: dict[str, Source] = {s.name: s for s in plan.sources}
        self._meta = {s.name: SourceMeta(s.name, s.tier, s.upstream, s.provider) for s in plan.sources}
        self._meta[self._bundled.name] = SourceMeta(self._bundled.name, self._bundled.tier)
        self.shared = plan.shared  # source name → the source whose fetch it shares
        for name in [*self.skipped, *self.shared]:  # skipped: its last list (snapshot) still counts
            upstream = name.removeprefix("native:")
            self._meta[name] = SourceMeta(name, TIER_NATIVE, upstream, self.providers.get(upstream))
        self._states: dict[str, SourceState] = {}
        self._retry_after: dict[str, float | None] = {}
        self._next_at: dict[str, float] = {}  # epoch seconds of each source's next scheduled refresh
        self._learned: dict[str, tuple[int, str]] = {}
        self._defaults = Defaults(self._cfg.default_context_window, self._cfg.default_max_output_tokens)
        self._view = CatalogView([], self.providers, self._defaults, overrides=self._cfg.overrides)
        self._metrics = CatalogMetrics(metrics.registry) if metrics is not None else None
        self._shared = SharedSources(kv)
        self._session = session
        self._own_session: aiohttp.ClientSession | None = None
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._writes: set[asyncio.Task[Any]] = set()
        self._rng = random.Random()
        self._warned: set[tuple[str, str | None]] = set()
        self._bundled_sig: str | None = None
        self._pending: set[str] = set()  # applied by background refreshes, not yet committed
        self._pending_errors: dict[str, str] = {}
        self._down: set[str] = set()  # local servers last seen not running (logged once)
        self._took: dict[str, float] = {}  # seconds the last fetch of each source took
        self._commit_task: asyncio.Task[None] | None = None
        # Third-party entries are kept for the configured upstreams' providers and the model
        # vendors (answers ``gpt-4o`` even when no ``openai`` upstream is configured).
        self._relevant = frozenset(self.providers.values()) | frozenset(self.providers) | MODEL_VENDORS
        for source in self._sources.values():
            if isinstance(source, DocumentSource):
                source.keep = self._relevant

    # -- start-up ----------------------------------------------------------------------
    async def start(self) -> None:
        """Load the snapshot and LiteLLM's bundled map; ready without network."""
        dirty, self._view = await asyncio.to_thread(self._load_and_build)
        # Start-up built hundreds of thousands of long-lived objects: keep the cyclic collector
        # from rescanning them on every full collection (run by whichever thread allocates
        # next, often the event loop's: tens of ms). Later rebuilds are not frozen.
        gc.freeze()
        if self._metrics is not None:
            for name in [*self._sources, self._bundled.name]:
                self._metrics.track_age(name, self._age_getter(name))
            self._metrics.listed.set(sum(1 for g in self._view.groups if g.listed))
        if dirty:
            self._spawn_write(self._save())

    def _age_getter(self, name: str) -> Any:
        return lambda: st.fetched_at if (st := self._states.get(name)) else None

    def _load_and_build(self) -> tuple[bool, CatalogView]:
        with no_gc(), no_breathing():
            return self._load_disk(), self._build_view()

    def _load_disk(self) -> bool:
        snap = store.load_snapshot(self.directory)
        path = bundled_path()
        sig = file_signature(path) if path else None
        wanted = set(self._meta)
        if snap:
            for name, data in (snap.get("sources") or {}).items():
                if name in wanted:
                    self._states[name] = SourceState.from_snapshot(data)
            for key, value in (snap.get("learned") or {}).items():
                self._learned[key] = (int(value[0]), str(value[1]))
        if path is None:
            log.warning("catalog_bundled_map_missing", hint="litellm is not installed")
            return snap is None
        self._sync_validators()
        if snap and snap.get("bundled_signature") == sig and self._bundled.name in self._states:
            self._bundled_sig = sig
            return False
        state = SourceState(self._bundled.name)
        data = orjson.loads(path.read_bytes())
        entries = parse_map(data, self._relevant)
        state.apply(entries, path.stat().st_mtime, "", track=False)
        state.raw_count = entry_count(data)
        self._states[self._bundled.name] = state
        self._bundled_sig = sig
        return True

    def _build_view(self) -> CatalogView:
        native: list[tuple[SourceMeta, SourceState]] = []
        third: list[tuple[SourceMeta, SourceState]] = []
        for name, state in self._states.items():
            meta = self._meta.get(name)
            if meta is None or name in self.shared:
                continue
            (native if meta.upstream else third).append((meta, state))
        for name, target in self.shared.items():
            if target in self._states:
                native.append((self._meta[name], self._states[target]))
        groups = build_groups(native, third)
        return CatalogView(
            groups,
            self.providers,
            self._defaults,
            overrides=self._cfg.overrides,
            learned=dict(self._learned),
            stand_ins=self._stand_ins(native, third),
        )

    def _stand_ins(
        self,
        native: list[tuple[SourceMeta, SourceState]],
        third: list[tuple[SourceMeta, SourceState]],
    ) -> dict[str, str]:
        """upstream → the third-party source whose entries for its provider stand in for its
        native list until that list has been fetched (first start without keys). Local
        servers get none: what is loaded there is not in any catalog."""
        have = {meta.upstream for meta, state in native if state.models}
        local = {s.upstream for s in self._sources.values() if s.local}
        local |= {u for u, p in self.providers.items() if p in LOCAL_PROVIDERS}
        wanted = {u: p for u, p in self.providers.items() if u not in have and u not in local}
        if not wanted:
            return {}
        present: list[tuple[str, set[str | None]]] = [
            (meta.name, {m.provider for m in state.models.values()})
            for meta, state in sorted(third, key=lambda t: t[0].tier)
        ]
        out = {}
        for upstream, provider in wanted.items():
            for name, providers in present:
                if provider in providers:
                    out[upstream] = name
                    break
        return out

    # -- lookups -----------------------------------------------------------------------
    def lookup(
        self, model: str, upstream: str | None = None, request: RequestTraits | None = None
    ) -> ModelInfo:
        """Whatever id a client sends → merged info; unknown ids get the conservative default.

        ``request``: what the request asked for (:class:`RequestTraits`); a documented switch
        (``anthropic-beta: context-1m-…``) can raise the window for it (switches.py)."""
        info = self._view.memo.get((model, upstream))
        if info is None:
            info = self._view.lookup(model, upstream)
            if info.unknown:
                self._warn_unknown(model, upstream, info)
        if request is not None:
            key = (model, upstream, request)
            hit = self._view.switched.get(key)
            if hit is None:
                if len(self._view.switched) >= _WARN_MAX:
                    self._view.switched.clear()
                hit = self._view.switched[key] = switched(info, request)
            return hit
        return info

    def _warn_unknown(self, model: str, upstream: str | None, info: ModelInfo) -> None:
        key = (model, upstream)
        if key in self._warned or len(self._warned) >= _WARN_MAX:
            return
        self._warned.add(key)
        log.warning(
            "catalog_unknown_model",
            model=model,
            upstream=upstream,
            listed=info.listed,
            context_window=info.context_window,
            hint="add catalog.overrides for it",
        )

    def models(self, provider: str | None = None) -> list[ModelInfo]:
        """Models the native lists offer now (``provider``: an upstream or provider name)."""
        return self._view.listed(provider)

    def offered(self, provider: str | None = None) -> list[ModelInfo]:
        """:meth:`models`, plus the best-known third-party list of each upstream whose native
        list has not been fetched yet (``listed_by`` names the source)."""
        return self._view.offered(provider)

    def changes(self, since: datetime | None = None) -> list[dict[str, Any]]:
        return store.read_changes(self.directory, since)

    def learn_limit(self, model: str, upstream: str | None, tokens: int) -> None:
        """Lower a model's context window after the provider said it is ``tokens``."""
        if tokens <= 0:
            return
        current = self.lookup(model, upstream)
        if tokens >= current.context_window:
            return
        group = self._view.find(model, upstream)
        spaces = {upstream, self.providers.get(upstream or "")} if upstream else None
        if group is not None and (spaces is None or group.ns in spaces):
            key = f"{group.ns}|{norm(group.display_id)}"
        else:
            key = f"{upstream or ''}|{norm(model)}"
        previous = self._learned.get(key)
        if previous is not None and previous[0] <= tokens:
            return
        value = (tokens, _now_iso())
        self._learned[key] = value
        self._view.apply_learned(key, value)
        log.info(
            "catalog_limit_learned", model=model, upstream=upstream, tokens=tokens, was=current.context_window
        )
        self._spawn_write(self._save())

    # -- refresh -----------------------------------------------------------------------
    def sources(self, provider: str | None = None) -> list[Source]:
        if provider is None:
            return list(self._sources.values())
        wanted = {provider, f"native:{provider}"}
        if (target := self.shared.get(f"native:{provider}")) is not None:
            wanted.add(target)
        return [s for s in self._sources.values() if wanted & {s.name, s.upstream, s.provider}]

    async def refresh(self, provider: str | None = None, progress: Progress | None = None) -> CatalogDiff:
        """Refresh every source (or those of one provider/upstream/source name) now.

        ``progress`` is called once per source as it finishes. ``diff.errors`` holds the
        sources that should have worked and failed; ``diff.not_running`` the local servers
        that did not answer."""
        chosen = self.sources(provider)
        if not chosen:
            reason = self.skipped.get(f"native:{provider}", "not configured")
            raise ValueError(f"no catalog source for {provider!r}: {reason}")
        results, seen = await self._fetch_all(chosen, progress)
        async with self._lock:
            errors, _ = await asyncio.to_thread(self._apply, chosen, results, seen)
            diff = await self._commit([s.name for s in chosen], errors)
        diff.outcomes = [self._outcome(s, r) for s, r in zip(chosen, results, strict=True)]
        diff.not_running = [o.source for o in diff.outcomes if o.status == "not_running"]
        return diff

    async def _fetch_all(
        self, chosen: list[Source], progress: Progress | None = None
    ) -> tuple[list[Any], dict[str, dict[str, str]]]:
        """Network only (no lock held): a slow source never delays the others."""
        http = Fetcher(await self._http(), self._cfg.timeout_s)

        async def one(source: Source) -> Any:
            started = time.perf_counter()
            result = await self._fetch(http, source)
            if not isinstance(result, (FetchError, NotModified)):
                try:
                    source.validate(result, self._baseline(source))
                except FetchError as exc:
                    result = exc
            self._took[source.name] = time.perf_counter() - started
            if progress is not None:
                progress(self._outcome(source, result))
            return result

        results = await asyncio.gather(*(one(s) for s in chosen))
        return results, http.validators

    def _outcome(self, source: Source, result: Any) -> SourceOutcome:
        took = self._took.get(source.name, 0.0)
        if isinstance(result, NotModified):
            return SourceOutcome(source.name, "not_modified", seconds=took)
        if isinstance(result, FetchError):
            status: Status = "not_running" if self._not_running(source, result) else "failed"
            return SourceOutcome(
                source.name, status, error=result.kind, seconds=took, expected=source.expected
            )
        return SourceOutcome(source.name, "ok", models=len(result), seconds=took)

    @staticmethod
    def _not_running(source: Source, error: FetchError) -> bool:
        """A keyless local server (vLLM, Ollama, LM Studio) that refuses or ignores us."""
        return source.local and error.kind in ("network", "timeout")

    def _apply(
        self, chosen: list[Source], results: list[Any], seen: Mapping[str, dict[str, str]]
    ) -> tuple[dict[str, str], list[str]]:
        """Install good results into the source states (lock held; in a worker thread):
        (failures, changed)."""
        now = time.time()
        now_iso = _now_iso()
        errors: dict[str, str] = {}
        applied: list[str] = []
        for source, result in zip(chosen, results, strict=True):
            state = self._states.setdefault(source.name, SourceState(source.name))
            if isinstance(result, NotModified):
                state.unchanged(now)
                if self._metrics is not None:
                    self._metrics.refreshes.labels(source.name, "not_modified").inc()
                continue
            if isinstance(result, FetchError):
                self._retry_after[source.name] = result.retry_after
                if self._not_running(source, result):
                    state.fail("not_running", now)
                    if source.name not in self._down:  # once, until it answers again
                        self._down.add(source.name)
                        log.info("catalog_local_not_running", source=source.name, upstream=source.upstream)
                    if self._metrics is not None:
                        self._metrics.refreshes.labels(source.name, "not_running").inc()
                    continue
                state.fail(result.kind, now)
                errors[source.name] = result.kind
                log.warning("catalog_refresh_failed", source=source.name, kind=result.kind, error=str(result))
                if self._metrics is not None:
                    self._metrics.refresh_errors.labels(source.name, result.kind).inc()
                    self._metrics.refreshes.labels(source.name, "error").inc()
                continue
            if source.name in self._down:
                self._down.discard(source.name)
                log.info("catalog_local_running", source=source.name)
            state.apply(self._keep(source, result), now, now_iso, track=isinstance(source, NativeSource))
            state.raw_count = (source.raw_count if isinstance(source, DocumentSource) else 0) or len(result)
            if source.url:
                state.validators = dict(seen.get(source.url) or {})
                source.validators = dict(state.validators)
            self._retry_after[source.name] = None
            applied.append(source.name)
            if self._metrics is not None:
                self._metrics.refreshes.labels(source.name, "ok").inc()
        return errors, applied

    async def _commit(self, names: list[str], errors: dict[str, str]) -> CatalogDiff:
        """Rebuild the view off the loop, swap it in, record the diff, persist (lock held)."""
        names = sorted({*names, *self._pending})
        errors = {**self._pending_errors, **errors}
        self._pending.clear()
        self._pending_errors.clear()
        view, before, after = await asyncio.to_thread(self._rebuild, self._view)
        old, self._view = self._view, view
        await asyncio.to_thread(without_gc, old.release)
        del old
        # A source that failed this round changed nothing: it is not named in the entry.
        diff = compute(before, after, _now_iso(), [n for n in names if n not in errors])
        diff.errors = errors
        if not diff.empty:
            await asyncio.to_thread(store.append_change, self.directory, diff.to_dict())
            log.info(
                "catalog_changed", added=len(diff.added), removed=len(diff.removed), changed=len(diff.changed)
            )
            if self._cfg.webhook_url:
                self._spawn(self._post_webhook(diff))
        if self._metrics is not None:
            for kind, items in (("added", diff.added), ("removed", diff.removed), ("changed", diff.changed)):
                if items:
                    self._metrics.changes.labels(kind).inc(len(items))
            self._metrics.listed.set(len(after))
        await self._save_unlocked()
        await self._shared.publish(
            {n: self._states[n] for n in names if n not in errors and n in self._states}
        )
        return diff

    def _rebuild(self, old: CatalogView) -> tuple[CatalogView, dict[str, ModelInfo], dict[str, ModelInfo]]:
        with no_gc():
            before = {i.key: i for i in old.listed()}
            view = self._build_view()
            return view, before, {i.key: i for i in view.listed()}

    def _sync_validators(self) -> None:
        for name, source in self._sources.items():
            state = self._states.get(name)
            if source.url and state is not None and state.models:
                source.validators = dict(state.validators)

    def _keep(self, source: Source, models: list[SourceModel]) -> list[SourceModel]:
        if source.upstream:
            return models
        return [m for m in models if m.provider in self._relevant]

    def _baseline(self, source: Source) -> int:
        state = self._states.get(source.name)
        if state is not None and state.raw_count:
            return state.raw_count
        if source.name == "litellm" and (bundled := self._states.get(self._bundled.name)):
            return bundled.raw_count
        return 0

    @staticmethod
    async def _fetch(http: Fetcher, source: Source) -> Any:
        try:
            return await source.fetch(http)
        except (FetchError, NotModified) as exc:
            return exc
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            return FetchError("malformed", type(exc).__name__)

    async def _http(self) -> aiohttp.ClientSession:
        if self._session is not None:
            return self._session
        if self._own_session is None or self._own_session.closed:
            self._own_session = aiohttp.ClientSession()
        return self._own_session

    # -- background --------------------------------------------------------------------
    def start_background(self) -> None:
        """Per-source refresh loops (jittered interval, backoff, Retry-After)."""
        for source in self._sources.values():
            self._spawn(self._loop(source))

    async def _loop(self, source: Source) -> None:
        interval = self._cfg.refresh_interval_s
        state = self._states.get(source.name)
        age = time.time() - state.fetched_at if state and state.fetched_at else None
        delay = first_delay(interval, age, self._cfg.refresh_on_start, self._rng)
        while True:
            self._next_at[source.name] = time.time() + delay
            await asyncio.sleep(delay)
            try:
                if await self._shared.take_lease(source.name, interval):
                    results, seen = await self._fetch_all([source])
                    async with self._lock:
                        failed, applied = await asyncio.to_thread(self._apply, [source], results, seen)
                    if applied:  # a failure or a 304 changes nothing: no rebuild
                        self._pending.add(source.name)
                        self._schedule_commit()
                    if failed:
                        await self._shared.release(source.name)
                else:
                    await self.pull([source.name])
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("catalog_refresh_crashed", source=source.name)
            state = self._states.get(source.name)
            failures = state.failures if state else 1
            delay = next_delay(interval, failures, self._retry_after.get(source.name), self._rng)

    def _schedule_commit(self) -> None:
        """Background refreshes finishing close together share one rebuild."""
        if self._commit_task is None:
            self._commit_task = asyncio.get_running_loop().create_task(self._debounced_commit())
            self._tasks.add(self._commit_task)
            self._commit_task.add_done_callback(self._tasks.discard)

    async def _debounced_commit(self) -> None:
        await asyncio.sleep(COMMIT_DEBOUNCE_S)
        self._commit_task = None  # refreshes applied from now on schedule the next one
        async with self._lock:
            if self._pending:
                await self._commit([], {})

    async def pull(self, names: list[str] | None = None) -> int:
        """Install newer source states another replica published to the shared store."""
        newer = await self._shared.newer(names or list(self._sources), self._states)
        if newer:
            async with self._lock:
                self._states.update(newer)
                self._sync_validators()
                old, self._view = self._view, (await asyncio.to_thread(self._rebuild, self._view))[0]
                await asyncio.to_thread(without_gc, old.release)
                del old
        return len(newer)

    async def _post_webhook(self, diff: CatalogDiff) -> None:
        assert self._cfg.webhook_url
        try:
            session = await self._http()
            async with session.post(
                self._cfg.webhook_url,
                data=orjson.dumps(diff.to_dict()),
                headers={"content-type": "application/json"},
                timeout=aiohttp.ClientTimeout(total=self._cfg.timeout_s),
            ) as resp:
                if resp.status >= 400:
                    log.warning("catalog_webhook_failed", status=resp.status)
        except (TimeoutError, aiohttp.ClientError) as exc:
            log.warning("catalog_webhook_failed", error=type(exc).__name__)

    # -- persistence -------------------------------------------------------------------
    async def _save(self) -> None:
        async with self._lock:
            await self._save_unlocked()

    async def _save_unlocked(self) -> None:
        try:
            await asyncio.to_thread(self._write_snapshot)
        except OSError as exc:
            log.warning("catalog_snapshot_not_saved", error=str(exc))

    def _write_snapshot(self) -> None:
        with no_gc():
            data = {
                "saved_at": _now_iso(),
                "bundled_signature": self._bundled_sig,
                "sources": {name: st.to_snapshot() for name, st in self._states.items()},
                # dict() copies atomically: learn_limit() may add entries from the loop meanwhile.
                "learned": {k: list(v) for k, v in dict(self._learned).items()},
            }
            store.save_snapshot(self.directory, data)

    # -- reports -----------------------------------------------------------------------
    def source_status(self) -> list[dict[str, Any]]:
        now = time.time()
        out = []
        for name in [self._bundled.name, *self._sources, *sorted(self.skipped), *sorted(self.shared)]:
            state = self._states.get(self.shared.get(name, name))
            meta = self._meta[name]
            fetched = state.fetched_at if state else None
            out.append(
                {
                    "source": name,
                    "tier": meta.tier,
                    "upstream": meta.upstream,
                    "models": len(state.models) if state else 0,
                    "fetched_at": iso(fetched),
                    "age_s": round(now - fetched, 1) if fetched else None,
                    "failures": state.failures if state else 0,
                    "last_error": state.last_error if state else None,
                    "skipped": self.skipped.get(name),
                    "shares": self.shared.get(name),
                }
            )
        return out

    def next_refresh_at(self) -> dict[str, float]:
        """Epoch seconds at which each background-refreshed source is due next."""
        return dict(self._next_at)

    def states(self) -> Mapping[str, tuple[SourceMeta, SourceState]]:
        return {n: (self._meta[n], s) for n, s in self._states.items() if n in self._meta}

    # -- tasks -------------------------------------------------------------------------
    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _spawn_write(self, coro: Coroutine[Any, Any, Any]) -> None:
        try:
            task = asyncio.get_running_loop().create_task(coro)
        except RuntimeError:
            coro.close()  # no loop (sync caller): the next refresh persists it
            return
        self._writes.add(task)
        task.add_done_callback(self._writes.discard)

    async def close(self) -> None:
        if self._writes:
            await asyncio.gather(*self._writes, return_exceptions=True)
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._own_session is not None:
            await self._own_session.close()
            self._own_session = None
