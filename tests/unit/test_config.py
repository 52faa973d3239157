from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from proxy.config import ConfigError, env_overrides, load_settings, redacted


def test_embedded_default_has_all_upstreams() -> None:
    s = load_settings(environ={})
    expected = {
        "openai",
        "anthropic",
        "xai",
        "groq",
        "nebius",
        "gemini",
        "openrouter",
        "together",
        "fireworks",
        "cerebras",
        "mistral",
        "deepseek",
        "vllm",
        "ollama",
        "lmstudio",
    }
    assert expected <= set(s.upstreams)
    assert s.server.host == "127.0.0.1" and s.server.port == 8787
    assert s.upstreams["anthropic"].api == "anthropic"
    assert s.upstreams["groq"].base_url == "https://api.groq.com/openai/v1"
    assert s.upstreams["vllm"].base_url.startswith("http://localhost:8000")
    assert s.compression.summarizer.mode == "extractive"


def test_file_then_env_then_flags(tmp_path: Path) -> None:
    cfg = tmp_path / "c.yaml"
    cfg.write_text(
        "server: {port: 9000, workers: 2}\nupstreams:\n  mine: {base_url: 'http://127.0.0.1:1/v1'}\n"
    )
    s = load_settings(
        cfg, environ={"CTXPROXY_SERVER__WORKERS": "3"}, overrides={"server": {"host": "127.0.0.2"}}
    )
    assert (s.server.port, s.server.workers, s.server.host) == (9000, 3, "127.0.0.2")
    assert "mine" in s.upstreams and "openai" in s.upstreams  # merged with the default
    assert s.upstreams["mine"].api == "openai"


def test_config_path_from_env(tmp_path: Path) -> None:
    cfg = tmp_path / "c.yaml"
    cfg.write_text("server: {port: 9100}\n")
    assert load_settings(environ={"CTXPROXY_CONFIG": str(cfg)}).server.port == 9100


def test_env_values_are_typed() -> None:
    out = env_overrides(
        {
            "CTXPROXY_COMPRESSION__TRIGGER": "0.8",
            "CTXPROXY_SERVER__PROXY_KEYS": "[a, b]",
            "OTHER": "x",
            "CTXPROXY_COMPRESSION__ENABLED": "false",
        }
    )
    assert out == {"compression": {"trigger": 0.8, "enabled": False}, "server": {"proxy_keys": ["a", "b"]}}


def test_env_host_every_ipv6_address_is_a_string() -> None:
    """``CTXPROXY_SERVER__HOST=::`` (the documented every-interface IPv6 bind) is not YAML's
    ``{':': None}``; a flow mapping is still a mapping."""
    settings = load_settings(environ={"CTXPROXY_SERVER__HOST": "::"})
    assert settings.server.host == "::"
    out = env_overrides(
        {"CTXPROXY_SERVER__HOST": "::", "CTXPROXY_COMPRESSION__MODELS": "{gpt-4o-mini: {trigger: 0.8}}"}
    )
    assert out == {"server": {"host": "::"}, "compression": {"models": {"gpt-4o-mini": {"trigger": 0.8}}}}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"server": {"prot": 1}}, "server.prot: unknown key"),
        ({"server": {"port": "abc"}}, "server.port: expected int, got 'abc'"),
        ({"server": {"port": 70000}}, "server.port"),
        ({"compression": {"strategy": "extreme"}}, "compression.strategy: expected one of"),
        ({"compression": {"trigger": 0.5, "target": 0.6}}, "compression.target: must be below trigger"),
        ({"compression": {"models": {"m": {"trigger": 2}}}}, "compression.models.m.trigger"),
        ({"upstreams": {"x": {"api": "openai"}}}, "upstreams.x.base_url: required"),
        ({"upstreams": {"x": {"base_url": "ftp://a"}}}, "upstreams.x.base_url"),
        ({"upstreams": {"x": {"base_url": "http://a", "api": "soap"}}}, "upstreams.x.api"),
        ({"default_upstream": "nope"}, "default_upstream"),
        ({"storage": {"backend": "redis"}}, "storage.url"),
        ({"compression": {"summarizer": {"mode": "llm"}}}, "compression.summarizer.model"),
        ({"server": {"proxy_keys": "abc"}}, "server.proxy_keys: expected a list"),
        ({"catalog": {"overrides": {"m": 5}}}, "catalog.overrides.m: expected a mapping"),
        ({"compression": {"summary_share": {"max": 1.5}}}, "compression.summary_share.max: must be in"),
        (
            {"compression": {"agents": {"a": {"summary_share": {"min": 0.6, "max": 0.2}}}}},
            "compression.agents.a.summary_share: min must not exceed max",
        ),
    ],
)
def test_bad_config_fails_fast_naming_the_key(overrides: dict, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_settings(environ={}, overrides=overrides)
    assert message in str(err.value)


def test_bad_yaml_file(tmp_path: Path) -> None:
    cfg = tmp_path / "c.yaml"
    cfg.write_text("server: [unclosed\n")
    with pytest.raises(ConfigError, match="invalid YAML"):
        load_settings(cfg, environ={})
    with pytest.raises(ConfigError, match="cannot read"):
        load_settings(tmp_path / "missing.yaml", environ={})


def test_redacted_hides_secrets() -> None:
    s = load_settings(
        environ={},
        overrides={
            "server": {"proxy_keys": ["pk-secret"]},
            "storage": {"backend": "redis", "url": "redis://user:hunter2@redis:6379/0"},
        },
    )
    text = orjson.dumps(redacted(s)).decode()
    assert "pk-secret" not in text and "hunter2" not in text
    assert "OPENAI_API_KEY" in text  # env var *names* are not secrets


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    full_env = {k: v for k, v in os.environ.items() if not k.startswith("CTXPROXY_")}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "proxy", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=60,
        check=False,
    )


def test_cli_config_check_and_show(tmp_path: Path) -> None:
    ok = _cli("config", "check")
    assert ok.returncode == 0 and "config OK" in ok.stdout
    cfg = tmp_path / "c.yaml"
    cfg.write_text("server: {proxy_keys: [pk-secret-1]}\n")
    shown = _cli("config", "show", "--config", str(cfg))
    assert shown.returncode == 0
    data = orjson.loads(shown.stdout)
    assert data["server"]["proxy_keys"] == ["***"]
    assert "pk-secret-1" not in shown.stdout
    bad = _cli("config", "check", env={"CTXPROXY_SERVER__PORT": "notaport"})
    assert bad.returncode == 2
    assert "server.port: expected int" in bad.stderr and "Traceback" not in bad.stderr


def test_cli_config_check_notes_a_public_bind_without_proxy_keys() -> None:
    """Valid, but the operator's keys will not be injected: ``config check`` says so before
    ``serve`` does (exit 0: the config is valid)."""
    public = _cli("config", "check", env={"CTXPROXY_SERVER__HOST": "0.0.0.0"})
    assert public.returncode == 0 and "config OK" in public.stdout
    assert "will not inject" in public.stderr and "server.proxy_keys" in public.stderr
    assert "will not inject" in _cli("config", "check", env={"CTXPROXY_SERVER__HOST": "::"}).stderr
    keyed = _cli(
        "config", "check", env={"CTXPROXY_SERVER__HOST": "0.0.0.0", "CTXPROXY_SERVER__PROXY_KEYS": "[pk]"}
    )
    assert keyed.returncode == 0 and keyed.stderr == ""
    for host in ("127.0.0.1", "localhost", "::1"):
        loopback = _cli("config", "check", env={"CTXPROXY_SERVER__HOST": host})
        assert loopback.returncode == 0 and loopback.stderr == "", (host, loopback.stderr)


def test_cli_config_check_notes_an_agent_override_no_request_can_match(tmp_path: Path) -> None:
    cfg = tmp_path / "agents.yaml"
    cfg.write_text(
        "compression:\n  agents:\n    'my agent': {strategy: aggressive}\n"
        "    coder: {strategy: aggressive}\n    'team-*': {strategy: conservative}\n"
    )
    checked = _cli("config", "check", "--config", str(cfg))
    assert checked.returncode == 0 and "config OK" in checked.stdout
    notes = checked.stderr.strip().splitlines()
    assert len(notes) == 1 and "compression.agents.my agent" in notes[0], notes
