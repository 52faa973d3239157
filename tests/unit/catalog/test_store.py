from datetime import UTC, datetime
from pathlib import Path

from proxy.catalog import store


def test_snapshot_roundtrip_and_schema_guard(tmp_path: Path) -> None:
    assert store.load_snapshot(tmp_path) is None
    store.save_snapshot(tmp_path, {"sources": {}, "learned": {"a|b": [1, "t"]}})
    assert store.load_snapshot(tmp_path)["learned"] == {"a|b": [1, "t"]}  # type: ignore[index]
    (tmp_path / store.SNAPSHOT).write_bytes(b'{"schema": 999}')
    assert store.load_snapshot(tmp_path) is None
    (tmp_path / store.SNAPSHOT).write_bytes(b"not json")
    assert store.load_snapshot(tmp_path) is None


def test_changelog_since_and_torn_line(tmp_path: Path) -> None:
    store.append_change(tmp_path, {"at": "2026-11-01T00:00:00+00:00", "added": [1]})
    store.append_change(tmp_path, {"at": "2026-11-03T00:00:00+00:00", "added": [2]})
    with open(tmp_path / store.CHANGELOG, "ab") as fh:
        fh.write(b'{"at": "2026-11-04')
    assert [e["added"] for e in store.read_changes(tmp_path)] == [[1], [2]]
    since = datetime(2026, 11, 2, tzinfo=UTC)
    assert [e["added"] for e in store.read_changes(tmp_path, since)] == [[2]]
