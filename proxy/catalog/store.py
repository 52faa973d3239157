"""On-disk state under ``catalog.cache_dir``: the snapshot (one orjson file, written
atomically) and the changelog (``changes.jsonl``, one diff per line, append-only).

These functions block: callers run them with ``asyncio.to_thread``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from proxy.catalog.model import SourceModel

SNAPSHOT = "catalog.json"
CHANGELOG = "changes.jsonl"
SCHEMA = 1


def cache_dir(configured: str) -> Path:
    return Path(os.path.expanduser(configured))


def load_snapshot(directory: Path) -> dict[str, Any] | None:
    """The saved snapshot, or ``None`` when absent, unreadable or of another schema."""
    try:
        data = orjson.loads((directory / SNAPSHOT).read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        return None
    if data.get("fields") != list(SourceModel.__slots__):
        return None
    return data


def save_snapshot(directory: Path, data: dict[str, Any]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    doc = {"schema": SCHEMA, "fields": list(SourceModel.__slots__), **data}
    tmp = directory / f".{SNAPSHOT}.{os.getpid()}.tmp"
    with open(tmp, "wb") as fh:
        for n, part in enumerate(dump_chunked(doc)):
            fh.write(part)
            if n % 8 == 7:
                time.sleep(0)  # hand the GIL back to the event loop between chunks
    os.replace(tmp, directory / SNAPSHOT)


def dump_chunked(value: Any, rows: int = 200) -> Iterator[bytes]:
    """The JSON of ``value`` in pieces: one ``orjson.dumps`` per small member, long lists in
    slices of ``rows`` — no single call holds the GIL for long (a snapshot is megabytes)."""
    if isinstance(value, dict):
        yield b"{"
        for i, (key, member) in enumerate(value.items()):
            yield (b"," if i else b"") + orjson.dumps(str(key)) + b":"
            yield from dump_chunked(member, rows)
        yield b"}"
    elif isinstance(value, list) and len(value) > rows:
        yield b"["
        for i in range(0, len(value), rows):
            yield (b"," if i else b"") + orjson.dumps(value[i : i + rows])[1:-1]
        yield b"]"
    else:
        yield orjson.dumps(value)


def append_change(directory: Path, entry: dict[str, Any]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / CHANGELOG, "ab") as fh:
        fh.write(orjson.dumps(entry) + b"\n")


def read_changes(directory: Path, since: datetime | None = None) -> list[dict[str, Any]]:
    """Diffs in file order; ``since`` keeps those at or after it (timezone-aware)."""
    try:
        raw = (directory / CHANGELOG).read_bytes()
    except OSError:
        return []
    out = []
    for line in raw.splitlines():
        try:
            entry = orjson.loads(line)
        except orjson.JSONDecodeError:
            continue  # a torn last line after a crash
        if since is not None:
            try:
                if datetime.fromisoformat(entry["at"]) < since:
                    continue
            except (KeyError, TypeError, ValueError):
                continue
        out.append(entry)
    return out
