"""The shipped ``configs/massgen/*.yaml`` run as documented, through ctxproxy, one API family each.

Every upstream those configs use is pointed at a strict fake of its API (the proxy config is
``configs/massgen/ctxproxy.yaml`` with the upstream base URLs replaced); the MassGen configs are
used verbatim except for the proxy's port. Needs the MassGen venv (``make massgen-venv``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml

from tests.e2e.massgen_harness import MASSGEN_BIN, ROOT, MassgenSandbox, ProxyProcess
from tests.fakes.strict import AnthropicFake, GeminiFake, OpenAIChatFake, OpenAIResponsesFake, StrictFake

pytestmark = [
    pytest.mark.massgen,
    pytest.mark.timeout(300),
    pytest.mark.skipif(
        not MASSGEN_BIN.exists(), reason=f"MassGen not installed at {MASSGEN_BIN} (make massgen-venv)"
    ),
]

CONFIGS = sorted(p for p in (ROOT / "configs" / "massgen").glob("*.yaml") if p.name != "ctxproxy.yaml")
DEFAULT_PROXY_URL = "http://127.0.0.1:8787"
FAMILY = {
    "chatcompletion": "chat",
    "openai": "responses",
    "grok": "responses",
    "claude": "claude",
    "gemini": "gemini",
}


def proxy_config(fakes: dict[str, StrictFake], cache_dir: Path) -> dict[str, Any]:
    config = yaml.safe_load((ROOT / "configs" / "massgen" / "ctxproxy.yaml").read_text())

    def upstream(family: str, api: str) -> dict[str, Any]:
        return {"base_url": fakes[family].base_url, "api": api, "api_key_env": None, "models_url": None}

    config["upstreams"] = {
        **config.get("upstreams", {}),
        "groq": upstream("chat", "openai"),
        "anthropic-openai": upstream("chat", "openai"),  # one-url.yaml: anthropic/… on bare /v1
        "gemini": upstream("chat", "openai"),  # one-url.yaml: gemini/… on bare /v1
        "deepseek": upstream("chat", "openai"),
        "openai": upstream("responses", "openai"),
        "xai": upstream("responses", "openai"),
        "anthropic": upstream("claude", "anthropic"),
        "google": upstream("gemini", "gemini"),
    }
    config["catalog"] = {
        **config.get("catalog", {}),
        "refresh_on_start": False,
        "sources": ["litellm"],
        "cache_dir": str(cache_dir),
    }
    config["logging"] = {"level": "warning"}
    return config


def tagged_agents(massgen_config: dict[str, Any]) -> set[str]:
    """Agent ids the proxy can know: from a /agent/<id>/ path or an x-ctxproxy-agent header."""
    out = set()
    for agent in massgen_config["agents"]:
        backend = agent["backend"]
        if "/agent/" in backend.get("base_url", "") or "x-ctxproxy-agent" in (
            backend.get("extra_headers") or {}
        ):
            out.add(agent["id"])
    return out


def localize(config_file: Path, proxy_url: str, workdir: Path) -> tuple[Path, str]:
    """The shipped config, verbatim but for the proxy's address."""
    text = config_file.read_text().replace(DEFAULT_PROXY_URL, proxy_url)
    path = workdir / config_file.name
    path.write_text(text)
    return path, text


@pytest.mark.parametrize("config_file", CONFIGS, ids=[p.stem for p in CONFIGS])
async def test_shipped_massgen_config_runs_through_ctxproxy(config_file: Path, tmp_path: Path) -> None:
    fakes: dict[str, StrictFake] = {
        "chat": OpenAIChatFake(),
        "responses": OpenAIResponsesFake(),
        "claude": AnthropicFake(),
        "gemini": GeminiFake(),
    }
    for fake in fakes.values():
        await fake.start()
    try:
        async with ProxyProcess(proxy_config(fakes, tmp_path / "catalog"), tmp_path) as proxy:
            config, massgen_yaml = localize(config_file, proxy.url, tmp_path)
            dummy = "dummy"
            sandbox = MassgenSandbox(
                tmp_path / "massgen",
                extra_env={
                    "ANTHROPIC_BASE_URL": f"{proxy.url}/anthropic",
                    "GOOGLE_GEMINI_BASE_URL": f"{proxy.url}/google",
                    "ANTHROPIC_API_KEY": dummy,
                    "GEMINI_API_KEY": dummy,
                    "XAI_API_KEY": dummy,
                },
            )
            run = await sandbox.run(config, "What is 2+2?")
            _, stats = await proxy.get("/stats")
            proxy_log = proxy.log()
    finally:
        for fake in fakes.values():
            await fake.close()

    print(f"{config_file.name}: {run.seconds:.1f}s", {name: len(f.requests) for name, f in fakes.items()})
    assert run.returncode == 0 and run.winners, run.output[-3000:] + "\n--- proxy log ---\n" + proxy_log
    for name, fake in fakes.items():
        assert not fake.invalid, (name, [(r.path, r.error) for r in fake.invalid])
        assert not fake.overflows, name
    parsed = yaml.safe_load(massgen_yaml)
    for family in {FAMILY[a["backend"]["type"]] for a in parsed["agents"]}:
        assert fakes[family].ok, f"no request reached the {family} fake"
    agents = orjson.loads(stats)["agents"]
    assert tagged_agents(parsed) <= set(agents), agents.keys()
    if "/v1" in massgen_yaml:  # one base URL: each prefixed model reached its upstream without the prefix
        sent = {r.body.get("model") for r in fakes["chat"].ok}
        for agent in parsed["agents"]:
            assert agent["backend"]["model"].split("/", 1)[1] in sent, (agent["id"], sent)
