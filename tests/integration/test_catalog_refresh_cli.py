"""``ctxproxy models refresh``: a line per source as it finishes; exit 1 only when a source
that should have worked failed, never for local servers that are not running."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.catalog_real import models_dev
from tests.fakes.catalog_config import UPSTREAMS, catalog_config
from tests.fakes.catalog_server import FakeCatalogServer
from tests.integration.test_catalog_cli import ctxproxy


async def _config(tmp_path: Path, fake: FakeCatalogServer) -> Path:
    # Every upstream of the embedded default config on the fake (the CLI merges the defaults;
    # nothing may reach the internet); google needs GEMINI_API_KEY and is skipped.
    config = catalog_config(fake, str(tmp_path / "cache"), list(UPSTREAMS), sources=["models_dev", "native"])
    for up in config["upstreams"].values():  # the defaults' models_url points at the internet
        up.setdefault("models_url", up["base_url"] + "/models")
    for local in ("vllm", "ollama", "lmstudio"):  # nothing listens on port 9
        config["upstreams"][local]["base_url"] = "http://127.0.0.1:9/v1"
        config["upstreams"][local]["models_url"] = "http://127.0.0.1:9/models"
    path = tmp_path / "ctxproxy.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


async def test_refresh_progress_and_quiet_local_servers(tmp_path: Path) -> None:
    fake = await FakeCatalogServer().start()
    fake.bodies["models_dev"] = models_dev()
    try:
        path = await _config(tmp_path, fake)
        result = await ctxproxy(
            tmp_path, "models", "refresh", "--config", str(path), env={"GROQ_API_KEY": "k"}
        )
        assert result.returncode == 0, (result.stdout, result.stderr)
        lines = result.stdout.splitlines()
        per_source = {line.split()[0]: line for line in lines if line.startswith(("native:", "models_dev"))}
        assert set(per_source) == {
            "models_dev",
            "native:groq",
            "native:openrouter",
            "native:cerebras",
            "native:vllm",
            "native:ollama",
            "native:lmstudio",
        }
        assert "ok, " in per_source["native:groq"] and "models" in per_source["models_dev"]
        assert "not running" in per_source["native:vllm"]
        assert "catalog_refresh_failed" not in result.stdout + result.stderr

        fake.fault("models_dev", "500")  # a third-party catalog should have worked
        failed = await ctxproxy(
            tmp_path, "models", "refresh", "--config", str(path), env={"GROQ_API_KEY": "k"}
        )
        assert failed.returncode == 1
        (line,) = [line for line in failed.stdout.splitlines() if line.startswith("models_dev")]
        # said once, in the CLI's own line, with the reason and the URL (no second, logged, line)
        assert "FAILED: http_5xx: 500 from http://127.0.0.1:" in line, line
        assert "catalog_refresh_failed" not in failed.stderr and "500 from" not in failed.stderr
    finally:
        await fake.close()
