"""The catalog's snapshot: the source states, learned limits and the signature of LiteLLM's
bundled map, loaded at start-up (so the catalog answers without network) and written after
every change. Blocking: callers run these in a worker thread."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

import orjson
import structlog

from proxy.catalog import store
from proxy.catalog.sources.litellm_map import bundled_path, entry_count, file_signature, parse_map
from proxy.catalog.state import SourceState

log = structlog.get_logger("ctxproxy.catalog")

Learned = dict[str, tuple[int, str]]  # "<namespace>|<normalised id>" → (tokens, when learned)


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def load(
    directory: Path,
    wanted: set[str],
    relevant: frozenset[str],
    bundled_name: str,
    states: dict[str, SourceState],
    learned: Learned,
) -> tuple[bool, str | None]:
    """Fill ``states`` and ``learned`` from the snapshot and LiteLLM's bundled map (re-parsed
    only when its file changed): (the snapshot needs writing, the bundled map's signature)."""
    snap = store.load_snapshot(directory)
    path = bundled_path()
    sig = file_signature(path) if path else None
    if snap:
        for name, data in (snap.get("sources") or {}).items():
            if name in wanted:
                states[name] = SourceState.from_snapshot(data)
        for key, value in (snap.get("learned") or {}).items():
            learned[key] = (int(value[0]), str(value[1]))
    if path is None:
        log.warning("catalog_bundled_map_missing", hint="litellm is not installed")
        return snap is None, None
    if snap and snap.get("bundled_signature") == sig and bundled_name in states:
        return False, sig
    state = SourceState(bundled_name)
    data = orjson.loads(path.read_bytes())
    entries = parse_map(data, relevant)
    state.apply(entries, path.stat().st_mtime, "", track=False)
    state.raw_count = entry_count(data)
    states[bundled_name] = state
    return True, sig


def write(
    directory: Path, bundled_sig: str | None, states: Mapping[str, SourceState], learned: Learned
) -> None:
    data = {
        "saved_at": now_iso(),
        "bundled_signature": bundled_sig,
        "sources": {name: st.to_snapshot() for name, st in states.items()},
        # dict() copies atomically: learn_limit() may add entries from the loop meanwhile.
        "learned": {k: list(v) for k, v in dict(learned).items()},
    }
    store.save_snapshot(directory, data)
