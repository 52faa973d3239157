"""``ctxproxy models …`` end to end in subprocesses (HOME and the cache in a temp dir)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.fakes.catalog_server import FakeCatalogServer

ROOT = Path(__file__).resolve().parents[2]


async def ctxproxy(
    home: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    environ.update({"HOME": str(home), "PYTHONPATH": str(ROOT), **(env or {})})
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "proxy", *args, cwd=ROOT, env=environ,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    return subprocess.CompletedProcess(args, proc.returncode or 0, out.decode(), err.decode())


async def test_show_gpt_4o_offline(tmp_path: Path) -> None:
    result = await ctxproxy(tmp_path, "models", "show", "gpt-4o", "--json")
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["context_window"] == 128000
    assert info["source"] == "litellm_bundled"
    assert info["provenance"]["context_window"]["source"] == "litellm_bundled"
    assert (tmp_path / ".cache" / "ctxproxy" / "catalog.json").is_file()


@pytest.fixture
async def groq_config(tmp_path: Path) -> tuple[FakeCatalogServer, Path]:
    fake = await FakeCatalogServer().start()
    config = {
        "upstreams": {"groq": {"base_url": fake.base("groq") + "/openai/v1"}},
        "catalog": {"cache_dir": str(tmp_path / "cache"), "sources": ["native"]},
    }
    path = tmp_path / "ctxproxy.yaml"
    path.write_text(yaml.safe_dump(config))
    return fake, path


async def test_refresh_groq_then_changes(tmp_path: Path, groq_config: tuple[FakeCatalogServer, Path]) -> None:
    fake, config = groq_config
    env = {"GROQ_API_KEY": "gsk-test"}
    refreshed = await ctxproxy(
        tmp_path, "models", "refresh", "--provider", "groq", "--config", str(config), env=env
    )
    assert refreshed.returncode == 0, refreshed.stderr
    assert (
        "native:groq" in refreshed.stdout and "+ groq/openai/gpt-oss-120b  context 131072" in refreshed.stdout
    )
    assert fake.auth["groq"] == {"authorization": "Bearer gsk-test"}

    changes = await ctxproxy(tmp_path, "models", "changes", "--json", "--config", str(config))
    assert changes.returncode == 0, changes.stderr
    log = json.loads(changes.stdout)
    added = {a["id"]: a["context_window"] for a in log[0]["added"]}
    assert added["openai/gpt-oss-120b"] == 131072 and added["qwen/qwen3-32b"] == 131072

    listed = await ctxproxy(
        tmp_path, "models", "list", "--provider", "groq", "--json", "--config", str(config)
    )
    assert {m["id"] for m in json.loads(listed.stdout)} >= {"llama-3.1-8b-instant", "groq/compound"}
    text = await ctxproxy(tmp_path, "models", "changes", "--config", str(config))
    assert "added    groq/llama-3.1-8b-instant  context 131072" in text.stdout
    shown = await ctxproxy(
        tmp_path, "models", "show", "openai/gpt-oss-120b", "--upstream", "groq", "--config", str(config)
    )
    assert "native:groq" in shown.stdout
    sources = await ctxproxy(tmp_path, "models", "sources", "--json", "--config", str(config))
    report = json.loads(sources.stdout)
    assert any(s["source"] == "native:groq" and s["models"] == 5 for s in report["sources"])
    plain = await ctxproxy(tmp_path, "models", "sources", "--config", str(config))
    row = next(line for line in plain.stdout.splitlines() if "native:groq" in line)
    assert row.split()[:2] == ["native:groq", "5"]  # the last good list, even while skipped for lack of a key
    await fake.close()


async def test_refresh_without_key_explains(
    tmp_path: Path, groq_config: tuple[FakeCatalogServer, Path]
) -> None:
    fake, config = groq_config
    result = await ctxproxy(tmp_path, "models", "refresh", "--provider", "groq", "--config", str(config))
    assert result.returncode == 2 and "GROQ_API_KEY" in result.stderr
    assert fake.hits["groq"] == 0
    await fake.close()


async def test_unknown_provider_or_upstream_is_a_usage_error(tmp_path: Path) -> None:
    """A typo in ``--provider`` says so (exit 2), not "no listed models yet: run refresh"."""
    result = await ctxproxy(tmp_path, "models", "list", "--provider", "groqq")
    assert result.returncode == 2
    assert "no upstream or provider named 'groqq'" in result.stderr and "groq" in result.stderr
    assert result.stdout == ""
    known = await ctxproxy(tmp_path, "models", "list", "--provider", "groq", "--json")
    assert known.returncode == 0, known.stderr
    assert json.loads(known.stdout) and all(m["upstream"] == "groq" for m in json.loads(known.stdout))
    typo = await ctxproxy(tmp_path, "models", "show", "gpt-4o", "--upstream", "opneai")
    assert typo.returncode == 2 and "no upstream named 'opneai'" in typo.stderr and typo.stdout == ""


async def test_an_unknown_model_is_said_once_in_the_cli_own_words(tmp_path: Path) -> None:
    """The ``catalog_unknown_model`` log line is for the server's log: a command says it itself."""
    shown = await ctxproxy(tmp_path, "models", "show", "no-such-model-xyz")
    assert shown.returncode == 1 and "unknown model 'no-such-model-xyz'" in shown.stderr
    assert "catalog_unknown_model" not in shown.stderr and len(shown.stderr.splitlines()) == 1
    body = tmp_path / "body.json"
    body.write_text(json.dumps({"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}))
    dry = await ctxproxy(tmp_path, "compress", str(body), "--model", "no-such-model-xyz")
    assert dry.returncode == 2 and "no context window known for no-such-model-xyz" in dry.stderr
    assert "catalog_unknown_model" not in dry.stderr and len(dry.stderr.splitlines()) == 1
