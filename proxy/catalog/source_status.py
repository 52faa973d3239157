"""One row per catalog source for ``/catalog/sources`` and ``ctxproxy models sources``:
tier, upstream, models held, age of the last good fetch, failures, why skipped or shared."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from proxy.catalog.groups import SourceMeta, iso
from proxy.catalog.state import SourceState


def source_status(
    names: list[str],
    meta: Mapping[str, SourceMeta],
    states: Mapping[str, SourceState],
    skipped: Mapping[str, str],
    shared: Mapping[str, str],
) -> list[dict[str, Any]]:
    now = time.time()
    out = []
    for name in names:
        state = states.get(shared.get(name, name))
        fetched = state.fetched_at if state else None
        out.append(
            {
                "source": name,
                "tier": meta[name].tier,
                "upstream": meta[name].upstream,
                "models": len(state.models) if state else 0,
                "fetched_at": iso(fetched),
                "age_s": round(now - fetched, 1) if fetched else None,
                "failures": state.failures if state else 0,
                "last_error": state.last_error if state else None,
                "skipped": skipped.get(name),
                "shares": shared.get(name),
            }
        )
    return out
