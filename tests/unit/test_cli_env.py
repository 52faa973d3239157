"""The CLI entry point owns process-wide environment defaults; library code writes none."""

from __future__ import annotations

import os
from typing import Any

import pytest

from proxy.cli import main


def test_the_entry_point_keeps_litellm_offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    # ``mode: llm`` imports litellm at start-up: without this it would fetch a cost map online.
    monkeypatch.delenv("LITELLM_LOCAL_MODEL_COST_MAP", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    assert main(["config", "check"]) == 0
    assert os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] == "True"


def test_an_explicit_setting_is_kept(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    monkeypatch.setenv("LITELLM_LOCAL_MODEL_COST_MAP", "False")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    assert main(["config", "check"]) == 0
    assert os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] == "False"
