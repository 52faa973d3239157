"""The ``ctxproxy`` command line as a user meets it: version, help, completion, clear exits."""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
import yaml

from proxy import __version__
from proxy.cli import build_parser
from proxy.completion import bash_script, zsh_script

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "docs" / "examples"


def run(home: Path, *args: str, **kw: object) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CTXPROXY_")}
    env.update({"HOME": str(home), "PYTHONPATH": str(ROOT), "LITELLM_LOCAL_MODEL_COST_MAP": "True"})
    return subprocess.run(
        [sys.executable, "-m", "proxy", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=90,
        check=False,
        **kw,  # type: ignore[arg-type]
    )


def _parsers(
    parser: argparse.ArgumentParser, path: str = "ctxproxy"
) -> list[tuple[str, argparse.ArgumentParser]]:
    out = [(path, parser)]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                out += _parsers(child, f"{path} {name}")
    return out


def test_version(tmp_path: Path) -> None:
    result = run(tmp_path, "--version")
    assert result.returncode == 0 and result.stdout.strip() == f"ctxproxy {__version__}"


def test_every_flag_and_argument_has_help_with_its_default() -> None:
    checked = 0
    for path, parser in _parsers(build_parser()):
        for action in parser._actions:
            if isinstance(
                action, (argparse._HelpAction, argparse._VersionAction, argparse._SubParsersAction)
            ):
                continue
            where = f"{path} {action.option_strings or action.dest}"
            assert action.help, f"{where}: no help line"
            if action.option_strings:  # flags: the default, stated
                assert "default" in action.help, f"{where}: help does not state the default"
            else:  # positionals have no default: the help says they are required
                assert "required" in action.help, f"{where}: help does not say it is required"
            checked += 1
    assert checked > 30


def test_help_pages_render(tmp_path: Path) -> None:
    result = run(tmp_path, "serve", "--help")
    assert result.returncode == 0 and result.stdout.startswith("usage: ctxproxy serve")
    assert "(default: server.port, 8787)" in result.stdout


def _complete(script: Path, *words: str) -> list[str]:
    """What bash offers for the last word of ``words`` (the word being typed)."""
    quoted = " ".join(f"'{w}'" for w in ["ctxproxy", *words])
    cmd = f'source {script}; COMP_WORDS=({quoted}); COMP_CWORD={len(words)}; _ctxproxy; printf "%s\\n" "${{COMPREPLY[@]}}"'
    out = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, check=True, timeout=30)
    return [w for w in out.stdout.split("\n") if w]


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash not installed")
def test_bash_completion(tmp_path: Path) -> None:
    result = run(tmp_path, "completion", "bash")
    assert result.returncode == 0
    script = tmp_path / "ctxproxy.bash"
    script.write_text(result.stdout)
    assert set(_complete(script, "")) >= {"serve", "models", "compress", "config", "completion", "--version"}
    assert _complete(script, "mo") == ["models"]
    assert _complete(script, "models", "s") == ["show", "sources"]
    assert _complete(script, "compress", "--api", "") == [
        "openai-chat",
        "openai-responses",
        "anthropic",
        "gemini",
    ]
    assert _complete(script, "serve", "--p") == ["--port"]
    assert _complete(script, "--config", "x.yaml", "config", "") == ["check", "show", "--help", "--config"]
    (tmp_path / "req.json").write_text("{}")
    assert "req.json" in " ".join(_complete(script, "compress", "--config", str(tmp_path / "re")))


def test_zsh_completion_wraps_the_bash_function(tmp_path: Path) -> None:
    parser = build_parser()
    script = zsh_script(parser)
    assert script.startswith("#compdef ctxproxy\n") and "bashcompinit" in script
    assert script.endswith(bash_script(parser))
    if not shutil.which("zsh"):
        return  # the bash function itself is exercised by test_bash_completion
    path = tmp_path / "ctxproxy.zsh"
    path.write_text(script)
    # bashcompinit runs completion functions under `emulate sh` (0-based arrays); zsh's compadd
    # then filters by the typed prefix, so the function's raw candidates are what to check.
    cmd = (
        f"source {path}; emulate sh -c 'COMP_WORDS=(ctxproxy compress --api o); COMP_CWORD=3; _ctxproxy';"
        " print -l $COMPREPLY"
    )
    env = {"HOME": str(tmp_path), "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    out = subprocess.run(["zsh", "-f", "-c", cmd], capture_output=True, text=True, env=env, timeout=30)
    assert out.stdout.split() == ["openai-chat", "openai-responses", "anthropic", "gemini"], out.stderr


def test_serve_on_a_busy_port_is_one_line_and_exit_2(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run(tmp_path, "serve", "--port", str(port))
    assert result.returncode == 2
    assert result.stderr.startswith(f"ctxproxy: port {port} is in use")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    "args",
    [
        ["models", "sources"],
        ["config", "show"],
        ["compress", "docs/examples/agent-session.json", "--context-window", "16000", "--json"],
    ],
)
def test_closed_stdout_is_no_traceback(tmp_path: Path, args: list[str]) -> None:
    """``ctxproxy … | head``: the reader goes away before the output is written."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CTXPROXY_")}
    env.update({"HOME": str(tmp_path), "PYTHONPATH": str(ROOT), "LITELLM_LOCAL_MODEL_COST_MAP": "True"})
    read_end, write_end = os.pipe()
    os.close(read_end)  # nobody will ever read: the first write gets EPIPE
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "proxy", *args],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=ROOT,
            timeout=90,
            check=False,
        )
    finally:
        os.close(write_end)
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr, proc.stderr
    assert proc.returncode == 141


def test_models_show_unknown_exits_1(tmp_path: Path) -> None:
    missing = run(tmp_path, "models", "show", "no-such-model")
    assert missing.returncode == 1
    assert "unknown model 'no-such-model'" in missing.stderr and "Traceback" not in missing.stderr
    assert run(tmp_path, "models", "show", "no-such-model", "--json").returncode == 1
    assert run(tmp_path, "models", "show", "gpt-4o").returncode == 0


def test_compress_exit_status_and_inherited_violations(tmp_path: Path) -> None:
    ok = run(tmp_path, "compress", "docs/examples/agent-session.json", "--context-window", "16000")
    assert ok.returncode == 0, ok.stderr
    assert "fits: yes" in ok.stdout
    bad = run(tmp_path, "compress", "docs/examples/broken-request.json", "--context-window", "2000")
    assert bad.returncode == 1
    assert "fits: no" in bad.stdout
    assert "already in the input: orphan-result:call_lost" in bad.stdout
    assert "made by the compactor" not in bad.stdout
    assert "does not fit:" in bad.stdout and "Traceback" not in bad.stderr


def test_compress_takes_the_model_from_a_gemini_path(tmp_path: Path) -> None:
    # captured POST /google/v1beta/models/gemini-2.5-flash:generateContent: model and window from it
    result = run(tmp_path, "compress", "docs/examples/gemini-request.json")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("api gemini · model gemini-2.5-flash · window 1048576"), result.stdout


def test_compress_without_any_model_says_so(tmp_path: Path) -> None:
    body = tmp_path / "b.json"
    body.write_bytes(orjson.dumps({"messages": [{"role": "user", "content": "hi"}]}))
    result = run(tmp_path, "compress", str(body))
    assert result.returncode == 2 and "pass --model" in result.stderr


def test_config_show_redacts_headers_and_url_tokens(tmp_path: Path) -> None:
    cfg = tmp_path / "c.yaml"
    cfg.write_text(
        yaml.safe_dump(
            {
                "upstreams": {
                    "corp": {
                        "base_url": "https://llm.corp.example/v1?api-key=qs-secret-1",
                        "headers": {
                            "Authorization": "Bearer hdr-secret-2",
                            "X-Custom-Tenant": "tenant-secret-3",
                        },
                    }
                },
                "catalog": {"webhook_url": "https://hooks.example/notify?token=wh-secret-4&channel=ops"},
                "storage": {"backend": "redis", "url": "redis://:pw-secret-5@redis:6379/0"},
            }
        )
    )
    result = run(tmp_path, "config", "show", "--config", str(cfg))
    assert result.returncode == 0, result.stderr
    for secret in ("qs-secret-1", "hdr-secret-2", "tenant-secret-3", "wh-secret-4", "pw-secret-5"):
        assert secret not in result.stdout, secret
    data = orjson.loads(result.stdout)
    corp = data["upstreams"]["corp"]
    assert corp["headers"] == {"Authorization": "***", "X-Custom-Tenant": "***"}
    assert corp["base_url"] == "https://llm.corp.example/v1?api-key=***"
    assert data["catalog"]["webhook_url"] == "https://hooks.example/notify?token=***&channel=***"
    assert data["storage"]["url"] == "redis://***@redis:6379/0"
    assert data["upstreams"]["openai"]["base_url"] == "https://api.openai.com/v1"  # plain URLs stay readable
    assert corp["api_key_env"] is None and data["upstreams"]["openai"]["api_key_env"] == "OPENAI_API_KEY"
