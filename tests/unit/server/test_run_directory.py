"""``serve --workers N``: the run's private directory, and where the workers' metric files go.
The environment variable the workers read is set by the CLI entry point only (proxy/cli.py)."""

from __future__ import annotations

import pytest

from proxy.config import load_settings
from proxy.server.run import metrics_dir, run_directory, serve


def test_one_worker_needs_no_directory() -> None:
    with run_directory(1) as run_dir:
        assert run_dir is None


def test_a_run_directory_holds_the_metrics_dir_and_goes_away() -> None:
    with run_directory(2) as run_dir:
        assert run_dir is not None and metrics_dir(run_dir).is_dir()
        assert run_dir.name.startswith("ctxproxy-run-") and (run_dir.stat().st_mode & 0o777) == 0o700
    assert not run_dir.exists()


def test_workers_without_the_metrics_variable_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    settings = load_settings(environ={}, overrides={"server": {"workers": 2}})
    with run_directory(2) as run_dir, pytest.raises(RuntimeError, match="PROMETHEUS_MULTIPROC_DIR"):
        serve(settings, run_dir)
