"""The live model catalog: start from disk, answer lookups, refresh in the background.

``lookup`` is synchronous and never waits on the network: refreshes build a new
:class:`CatalogView` off the event loop and swap it in with one assignment. The parts live
beside it: the snapshot (snapshot.py), one refresh round (refresh.py), the background loops
(scheduler.py), view assembly (assemble.py), learned limits (learning.py), replicas
(replicas.py), the webhook (webhook.py), the per-source report (source_status.py).
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import aiohttp
import structlog

from proxy.catalog import snapshot, store
from proxy.catalog.assemble import Layout
from proxy.catalog.bulk import no_breathing, off_loop
from proxy.catalog.diff import CatalogDiff, compute
from proxy.catalog.groups import SourceMeta
from proxy.catalog.ids import MODEL_VENDORS
from proxy.catalog.learning import UnknownWarnings, learned_key
from proxy.catalog.merge import Defaults
from proxy.catalog.metrics import CatalogMetrics
from proxy.catalog.model import ModelInfo
from proxy.catalog.progress import Progress
from proxy.catalog.refresh import Refresher
from proxy.catalog.replicas import SharedSources
from proxy.catalog.scheduler import Debounced, RefreshScheduler
from proxy.catalog.source_status import source_status
from proxy.catalog.sources import Source, build_sources
from proxy.catalog.sources.base import TIER_NATIVE, DocumentSource
from proxy.catalog.sources.litellm_map import LiteLLMBundled
from proxy.catalog.state import SourceState
from proxy.catalog.switches import RequestTraits, switched
from proxy.catalog.view import CatalogView
from proxy.catalog.webhook import post_diff
from proxy.config import Settings
from proxy.observability.metrics import Metrics
from proxy.storage.base import KV
from proxy.tasks import BackgroundTasks

log = structlog.get_logger("ctxproxy.catalog")

_SWITCHED_MAX = 1000


class Catalog:
    def __init__(
        self,
        settings: Settings,
        *,
        metrics: Metrics | None = None,
        kv: KV | None = None,
        session: aiohttp.ClientSession | None = None,
        environ: Mapping[str, str] | None = None,
        quiet: bool = False,  # a CLI command: it says unknown models and failed sources itself
    ) -> None:
        self.settings = settings
        self._cfg = settings.catalog
        self.directory = store.cache_dir(self._cfg.cache_dir)
        plan = build_sources(settings, environ)
        self.skipped = plan.skipped
        self.providers = plan.providers
        self._bundled = LiteLLMBundled()
        self._sources: dict[str, Source] = {s.name: s for s in plan.sources}
        meta = {s.name: SourceMeta(s.name, s.tier, s.upstream, s.provider) for s in plan.sources}
        meta[self._bundled.name] = SourceMeta(self._bundled.name, self._bundled.tier)
        self.shared = plan.shared  # source name → the source whose fetch it shares
        for name in [*self.skipped, *self.shared]:  # skipped: its last list (snapshot) still counts
            upstream = name.removeprefix("native:")
            meta[name] = SourceMeta(name, TIER_NATIVE, upstream, self.providers.get(upstream))
        self._meta = meta
        self._states: dict[str, SourceState] = {}
        self._learned: snapshot.Learned = {}
        defaults = Defaults(self._cfg.default_context_window, self._cfg.default_max_output_tokens)
        self._layout = Layout(
            self._sources, meta, self.shared, self.providers, defaults, overrides=self._cfg.overrides
        )
        self._view = CatalogView([], self.providers, defaults, overrides=self._cfg.overrides)
        self._metrics = CatalogMetrics(metrics.registry) if metrics is not None else None
        self._replicas = SharedSources(kv)
        self._session = session
        self._own_session: aiohttp.ClientSession | None = None
        self._lock = asyncio.Lock()
        self._tasks = BackgroundTasks("catalog")  # refresh loops, commits, webhooks: cancelled on close
        self._writes = BackgroundTasks("catalog.save")  # snapshot writes: awaited on close
        self._unknown = UnknownWarnings(enabled=not quiet)
        self._bundled_sig: str | None = None
        self._pending: set[str] = set()  # applied by background refreshes, not yet committed
        self._pending_errors: dict[str, str] = {}
        # Third-party entries are kept for the configured upstreams' providers and the model
        # vendors (answers ``gpt-4o`` even when no ``openai`` upstream is configured).
        self._relevant = frozenset(self.providers.values()) | frozenset(self.providers) | MODEL_VENDORS
        for source in self._sources.values():
            if isinstance(source, DocumentSource):
                source.keep = self._relevant
        self._refresher = Refresher(self._states, self._relevant, self._bundled.name, self._metrics, quiet)
        self._scheduler = RefreshScheduler(
            interval_s=self._cfg.refresh_interval_s,
            refresh_on_start=self._cfg.refresh_on_start,
            states=self._states,
            retry_after=self._refresher.retry_after,
            shared=self._replicas,
            refresh=self._refresh_in_background,
            pull=self.pull,
            tasks=self._tasks,
        )
        self._commit_soon = Debounced("commit", self._commit_pending, self._tasks)

    # -- start-up ----------------------------------------------------------------------
    async def start(self) -> None:
        """Load the snapshot and LiteLLM's bundled map; ready without network."""
        dirty, self._view = await off_loop(self._load_and_build)
        # Start-up built hundreds of thousands of long-lived objects: keep the cyclic collector
        # from rescanning them on every full collection (run by whichever thread allocates
        # next, often the event loop's: tens of ms). Later rebuilds are not frozen.
        gc.freeze()
        if self._metrics is not None:
            for name in [*self._sources, self._bundled.name]:
                self._metrics.track_age(name, self._age_getter(name))
            self._metrics.listed.set(sum(1 for g in self._view.groups if g.listed))
        if dirty:
            self._spawn_write()

    def _age_getter(self, name: str) -> Callable[[], float | None]:
        return lambda: st.fetched_at if (st := self._states.get(name)) else None

    def _load_and_build(self) -> tuple[bool, CatalogView]:
        with no_breathing():
            dirty, self._bundled_sig = snapshot.load(
                self.directory,
                set(self._meta),
                self._relevant,
                self._bundled.name,
                self._states,
                self._learned,
            )
            self._sync_validators()
            return dirty, self._layout.build(self._states, self._learned)

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
                self._unknown.warn(model, upstream, info)
        if request is not None:
            key = (model, upstream, request)
            hit = self._view.switched.get(key)
            if hit is None:
                if len(self._view.switched) >= _SWITCHED_MAX:
                    self._view.switched.clear()
                hit = self._view.switched[key] = switched(info, request)
            return hit
        return info

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
        key = learned_key(self._view, self.providers, model, upstream)
        previous = self._learned.get(key)
        if previous is not None and previous[0] <= tokens:
            return
        value = (tokens, snapshot.now_iso())
        self._learned[key] = value
        self._view.apply_learned(key, value)
        log.info(
            "catalog_limit_learned", model=model, upstream=upstream, tokens=tokens, was=current.context_window
        )
        self._spawn_write()

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
        results, seen = await self._refresher.fetch_all(
            await self._http(), self._cfg.timeout_s, chosen, progress
        )
        async with self._lock:
            errors, _ = await asyncio.to_thread(self._refresher.apply, chosen, results, seen)
            diff = await self._commit([s.name for s in chosen], errors)
        diff.outcomes = [self._refresher.outcome(s, r) for s, r in zip(chosen, results, strict=True)]
        diff.not_running = [o.source for o in diff.outcomes if o.status == "not_running"]
        return diff

    async def _refresh_in_background(self, source: Source) -> bool:
        """One scheduled refresh: applied now, committed (debounced) with its neighbours."""
        results, seen = await self._refresher.fetch_all(await self._http(), self._cfg.timeout_s, [source])
        async with self._lock:
            failed, applied = await asyncio.to_thread(self._refresher.apply, [source], results, seen)
        if applied:  # a failure or a 304 changes nothing: no rebuild
            self._pending.add(source.name)
            self._commit_soon.schedule()
        return bool(failed)

    async def _commit_pending(self) -> None:
        async with self._lock:
            if self._pending:
                await self._commit([], {})

    async def _commit(self, names: list[str], errors: dict[str, str]) -> CatalogDiff:
        """Rebuild the view off the loop, swap it in, record the diff, persist (lock held)."""
        names = sorted({*names, *self._pending})
        errors = {**self._pending_errors, **errors}
        self._pending.clear()
        self._pending_errors.clear()
        view, before, after = await off_loop(self._rebuild, self._view)
        await self._swap(view)
        # A source that failed this round changed nothing: it is not named in the entry.
        diff = compute(before, after, snapshot.now_iso(), [n for n in names if n not in errors])
        diff.errors = errors
        if not diff.empty:
            await asyncio.to_thread(store.append_change, self.directory, diff.to_dict())
            log.info(
                "catalog_changed", added=len(diff.added), removed=len(diff.removed), changed=len(diff.changed)
            )
            if self._cfg.webhook_url:
                self._tasks.spawn("webhook", self._post_webhook(self._cfg.webhook_url, diff))
        if self._metrics is not None:
            for kind, items in (("added", diff.added), ("removed", diff.removed), ("changed", diff.changed)):
                if items:
                    self._metrics.changes.labels(kind).inc(len(items))
            self._metrics.listed.set(len(after))
        await self._save_unlocked()
        await self._replicas.publish(
            {n: self._states[n] for n in names if n not in errors and n in self._states}
        )
        return diff

    def _rebuild(self, old: CatalogView) -> tuple[CatalogView, dict[str, ModelInfo], dict[str, ModelInfo]]:
        before = {i.key: i for i in old.listed()}
        view = self._layout.build(self._states, self._learned)
        return view, before, {i.key: i for i in view.listed()}

    async def _swap(self, view: CatalogView) -> None:
        old, self._view = self._view, view
        await off_loop(old.release)  # freed piecewise, off the loop
        del old

    def _sync_validators(self) -> None:
        for name, source in self._sources.items():
            state = self._states.get(name)
            if source.url and state is not None and state.models:
                source.validators = dict(state.validators)

    async def _http(self) -> aiohttp.ClientSession:
        if self._session is not None:
            return self._session
        if self._own_session is None or self._own_session.closed:
            self._own_session = aiohttp.ClientSession()
        return self._own_session

    async def _post_webhook(self, url: str, diff: CatalogDiff) -> None:
        await post_diff(await self._http(), url, diff, self._cfg.timeout_s)

    # -- background and replicas -------------------------------------------------------
    def start_background(self) -> None:
        """Per-source refresh loops (jittered interval, backoff, Retry-After)."""
        self._scheduler.start(list(self._sources.values()))

    async def pull(self, names: list[str] | None = None) -> int:
        """Install newer source states another replica published to the shared store."""
        newer = await self._replicas.newer(names or list(self._sources), self._states)
        if newer:
            async with self._lock:
                self._states.update(newer)
                self._sync_validators()
                await self._swap((await off_loop(self._rebuild, self._view))[0])
        return len(newer)

    # -- persistence -------------------------------------------------------------------
    def _spawn_write(self) -> None:
        try:
            self._writes.spawn("save", self._save())
        except RuntimeError:
            pass  # no loop (sync caller): the next refresh persists it

    async def _save(self) -> None:
        async with self._lock:
            await self._save_unlocked()

    async def _save_unlocked(self) -> None:
        try:
            await off_loop(snapshot.write, self.directory, self._bundled_sig, self._states, self._learned)
        except OSError as exc:
            log.warning("catalog_snapshot_not_saved", error=str(exc))

    # -- reports -----------------------------------------------------------------------
    def source_status(self) -> list[dict[str, Any]]:
        names = [self._bundled.name, *self._sources, *sorted(self.skipped), *sorted(self.shared)]
        return source_status(names, self._meta, self._states, self.skipped, self.shared)

    def next_refresh_at(self) -> dict[str, float]:
        """Epoch seconds at which each background-refreshed source is due next."""
        return dict(self._scheduler.next_at)

    def states(self) -> Mapping[str, tuple[SourceMeta, SourceState]]:
        return {n: (self._meta[n], s) for n, s in self._states.items() if n in self._meta}

    async def close(self) -> None:
        await self._writes.drain()
        await self._tasks.close()
        if self._own_session is not None:
            await self._own_session.close()
            self._own_session = None
