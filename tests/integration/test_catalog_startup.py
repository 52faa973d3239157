"""Start-up: offline, from LiteLLM's bundled map and/or the snapshot, never importing litellm."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest
from structlog.testing import capture_logs

from proxy.catalog import Catalog
from proxy.catalog import snapshot as snapshot_module
from proxy.catalog.store import SNAPSHOT
from proxy.config import load_settings, settings_from_dict

EXAMPLE = Path(__file__).resolve().parents[2] / "configs/examples/catalog-overrides.yaml"


def offline_settings(cache_dir: Path, **catalog: Any) -> Any:
    dead = "http://127.0.0.1:1"  # nothing listens: every fetch fails fast
    return settings_from_dict(
        {
            "default_upstream": "openai",
            "upstreams": {
                "openai": {"base_url": f"{dead}/v1", "api_key_env": "OPENAI_API_KEY"},
                "vllm": {"base_url": f"{dead}/v1"},
            },
            "catalog": {
                "cache_dir": str(cache_dir),
                "litellm_remote_url": f"{dead}/map.json",
                "models_dev_url": f"{dead}/api.json",
                "openrouter_url": f"{dead}/models",
                "timeout_s": 1,
                **catalog,
            },
        }
    )


async def test_offline_without_snapshot_answers_from_bundled_map(tmp_path: Path) -> None:
    catalog = Catalog(offline_settings(tmp_path / "cache"), environ={"OPENAI_API_KEY": "k"})
    await catalog.start()
    info = catalog.lookup("gpt-4o")
    assert (info.context_window, info.source, info.unknown) == (128000, "litellm_bundled", False)
    assert catalog.lookup("openai/gpt-4o-2024-08-06").context_window == 128000
    diff = await catalog.refresh()  # every source fails; nothing is lost
    assert set(diff.errors.values()) == {"network"} and diff.empty
    assert catalog.lookup("gpt-4o").context_window == 128000
    await catalog.close()
    assert (tmp_path / "cache" / SNAPSHOT).is_file()


async def test_unknown_model_default_logged_once(tmp_path: Path) -> None:
    catalog = Catalog(
        offline_settings(tmp_path, default_context_window=16000, default_max_output_tokens=2000)
    )
    await catalog.start()
    with capture_logs() as logs:
        for _ in range(3):
            info = catalog.lookup("totally-new-model-x", "openai")
            catalog.lookup("totally-new-model-x")  # the price lookup of the same request
    assert (info.context_window, info.max_output_tokens, info.unknown) == (16000, 2000, True)
    assert info.source == "unknown"
    assert [(e["event"], e["upstream"]) for e in logs] == [("catalog_unknown_model", "openai")]
    with capture_logs() as logs:
        catalog.lookup("totally-new-model-x", "groq")  # another upstream: its own line
    assert [(e["event"], e["upstream"]) for e in logs] == [("catalog_unknown_model", "groq")]
    await catalog.close()


async def test_second_start_uses_snapshot_not_bundled_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = Catalog(offline_settings(tmp_path))
    await first.start()
    await first.close()

    def boom(_: Any) -> Any:
        raise AssertionError("bundled map parsed again")

    monkeypatch.setattr(snapshot_module, "parse_map", boom)
    second = Catalog(offline_settings(tmp_path))
    await second.start()
    assert second.lookup("gpt-4o").context_window == 128000
    await second.close()


async def test_changed_bundled_file_or_corrupt_snapshot_reparsed(tmp_path: Path) -> None:
    first = Catalog(offline_settings(tmp_path))
    await first.start()
    await first.close()
    snap = orjson.loads((tmp_path / SNAPSHOT).read_bytes())
    snap["bundled_signature"] = "another-version"
    snap["sources"]["litellm_bundled"]["models"] = []
    (tmp_path / SNAPSHOT).write_bytes(orjson.dumps(snap))
    second = Catalog(offline_settings(tmp_path))
    await second.start()
    assert second.lookup("gpt-4o").context_window == 128000
    await second.close()
    (tmp_path / SNAPSHOT).write_bytes(b"\x00garbage")
    third = Catalog(offline_settings(tmp_path))
    await third.start()
    assert third.lookup("gpt-4o").context_window == 128000
    await third.close()


def test_start_never_imports_litellm(tmp_path: Path) -> None:
    code = (
        "import asyncio, sys\n"
        "from proxy.config import load_settings\n"
        "from proxy.catalog import Catalog\n"
        f"s = load_settings(environ={{}}, overrides={{'catalog': {{'cache_dir': {str(tmp_path)!r}}}}})\n"
        "c = Catalog(s, environ={})\n"
        "asyncio.run(c.start())\n"
        "print(c.lookup('gpt-4o').context_window, 'litellm' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.split() == ["128000", "False"]


def test_embedded_default_config_builds_a_catalog() -> None:
    catalog = Catalog(load_settings(environ={}), environ={})
    assert {"native:cerebras", "native:openrouter", "native:ollama"} <= {s.name for s in catalog.sources()}
    assert "native:groq" in catalog.skipped  # needs GROQ_API_KEY
    assert catalog.providers["gemini"] == "gemini"


async def test_example_overrides_file(tmp_path: Path) -> None:
    settings = load_settings(EXAMPLE, environ={}, overrides={"catalog": {"cache_dir": str(tmp_path)}})
    catalog = Catalog(settings, environ={})
    await catalog.start()
    assert catalog.lookup("gpt-5.1", "openai").context_window == 400000
    assert catalog.lookup("qwen3:32b", "ollama").context_window == 16384
    llama = catalog.lookup("meta-llama/Llama-3.3-70B-Instruct", "gpu-box")
    assert (llama.context_window, llama.source) == (65536, "override")
    assert catalog.lookup("gpu-box/meta-llama/Llama-3.3-70B-Instruct").context_window == 65536
    assert catalog.lookup("ft:gpt-4.1-mini:acme::A1b2C3d4").capabilities.tools is True
    await catalog.close()
