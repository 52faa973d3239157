"""Limits learned from providers' errors, and unknown ids warned about once.

A provider that rejects a request as too long often says its real limit; the catalog keeps
it under the model's merged key (or the id as sent, when the model is not in the catalog) so
that every later lookup answers the lower window, across restarts (snapshot.py)."""

from __future__ import annotations

from collections.abc import Mapping

import structlog

from proxy.catalog.ids import norm
from proxy.catalog.model import ModelInfo
from proxy.catalog.view import CatalogView

log = structlog.get_logger("ctxproxy.catalog")

_WARN_MAX = 1000


def learned_key(view: CatalogView, providers: Mapping[str, str], model: str, upstream: str | None) -> str:
    """``<namespace>|<normalised id>`` for ``model`` as served by ``upstream``."""
    group = view.find(model, upstream)
    spaces = {upstream, providers.get(upstream or "")} if upstream else None
    if group is not None and (spaces is None or group.ns in spaces):
        return f"{group.ns}|{norm(group.display_id)}"
    return f"{upstream or ''}|{norm(model)}"


class UnknownWarnings:
    """Logs ``catalog_unknown_model`` once per (model, upstream), for at most 1000 of them. A
    lookup without an upstream (a price, say) of a model already warned about for an upstream
    adds nothing: one request for an unknown model logs one line. ``enabled=False`` (a CLI
    command, which says it in its own words) logs nothing."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self._warned: set[tuple[str, str | None]] = set()
        self._models: set[str] = set()

    def warn(self, model: str, upstream: str | None, info: ModelInfo) -> None:
        key = (model, upstream)
        if not self.enabled or key in self._warned or len(self._warned) >= _WARN_MAX:
            return
        if upstream is None and model in self._models:
            return
        self._warned.add(key)
        self._models.add(model)
        log.warning(
            "catalog_unknown_model",
            model=model,
            upstream=upstream,
            listed=info.listed,
            context_window=info.context_window,
            hint="add catalog.overrides for it",
        )
