"""Every row of docs/massgen.md's backend table, proved against MassGen 0.1.97 itself.

MassGen reads each backend type's own key variable (``GROQ_API_KEY`` for ``groq``, …) and stops
without it; ``gemini`` reads ``GOOGLE_API_KEY`` before ``GEMINI_API_KEY``; ``chatcompletion``
with a proxy base URL falls back to the OpenAI SDK's ``OPENAI_API_KEY``; ``vllm``/``sglang``
need none (they send ``EMPTY``).

1. ``test_missing_key_stops_massgen``: MassGen's own ``create_backend`` (what its CLI calls for
   each agent) in the MassGen venv, with no key in the environment: each keyed type fails with
   its variable's name, the keyless ones start.
2. ``test_one_agent_per_backend_type_through_ctxproxy``: one MassGen run, one agent per backend
   type, each type's variable set to a distinct value, through ``ctxproxy serve`` to strict
   fakes. The fakes record which key each agent's requests carried, so each row's variable is
   the one MassGen really sent. One run for all types keeps the e2e time sane (MassGen's
   start-up dominates: one run ≈ one minute on the shared 2-core box).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.e2e.massgen_harness import MASSGEN_BIN, MassgenSandbox, ProxyProcess
from tests.fakes.strict import GeminiFake, OpenAIChatFake

pytestmark = [
    pytest.mark.massgen,
    pytest.mark.timeout(400),
    pytest.mark.skipif(
        not MASSGEN_BIN.exists(), reason=f"MassGen not installed at {MASSGEN_BIN} (make massgen-venv)"
    ),
]

# MassGen backend type → the key variable it reads (the docs/massgen.md table).
KEYED_CHAT_TYPES = {
    "groq": "GROQ_API_KEY",
    "cerebras": "CEREBRAS_API_KEY",
    "together": "TOGETHER_API_KEY",
    "fireworks": "FIREWORKS_API_KEY",
    "openrouter": "OPENROUTER_API_KEY",
    "nebius": "NEBIUS_API_KEY",
    "moonshot": "MOONSHOT_API_KEY",
    "nvidia_nim": "NGC_API_KEY",
    "zai": "ZAI_API_KEY",
    "qwen": "QWEN_API_KEY",
    "poe": "POE_API_KEY",
}
KEYLESS_CHAT_TYPES = ("vllm", "sglang")  # send VLLM_API_KEY / SGLANG_API_KEY, else "EMPTY"
OTHER_KEYED = {"openai": "OPENAI_API_KEY", "grok": "XAI_API_KEY", "claude": "ANTHROPIC_API_KEY"}

_CREATE_ALL = """
import json, os, sys
from massgen.cli.backends import create_backend
from massgen.cli.config_loading import ConfigurationError
out = []
for backend_type, env in json.loads(sys.argv[1]):
    os.environ.update(env)
    try:
        create_backend(backend_type, model="m", base_url="http://127.0.0.1:9/v1")
        out.append("ok")
    except ConfigurationError as exc:
        out.append(str(exc).splitlines()[0])
    for name in env:
        del os.environ[name]
print(json.dumps(out))
"""


async def _create_backends(cases: list[tuple[str, dict[str, str]]], env: dict[str, str]) -> list[str]:
    """MassGen's create_backend for each (type, extra environment), in one MassGen process."""
    python = MASSGEN_BIN.parent / "python"
    proc = await asyncio.create_subprocess_exec(
        str(python), "-c", _CREATE_ALL, json.dumps(cases),
        env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        out, err = await asyncio.wait_for(proc.communicate(), 240)
    except TimeoutError:  # reap it: a live child's transport is an unclosed resource (an error here)
        proc.kill()
        await proc.wait()
        raise
    assert proc.returncode == 0, err.decode()[-3000:]
    return json.loads(out.decode().strip().splitlines()[-1])  # type: ignore[no-any-return]


async def test_missing_key_stops_massgen(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONWARNINGS": "ignore"}
    keyed = {**KEYED_CHAT_TYPES, **OTHER_KEYED, "gemini": "GOOGLE_API_KEY"}
    keyless = [*KEYLESS_CHAT_TYPES, "chatcompletion"]  # chatcompletion: the OpenAI SDK asks later
    cases = [(t, {}) for t in [*keyed, *keyless]]
    cases.append(("gemini", {"GEMINI_API_KEY": "g"}))  # GEMINI_API_KEY alone is enough
    cases.append(("groq", {"OPENAI_API_KEY": "o"}))  # the old docs' advice: not enough
    results = dict(
        zip([f"{t}{sorted(e)}" for t, e in cases], await _create_backends(cases, env), strict=True)
    )
    for backend_type, var in keyed.items():
        message = results[f"{backend_type}[]"]
        assert "API key not found" in message and var in message, (backend_type, message)
    for backend_type in keyless:
        assert results[f"{backend_type}[]"] == "ok", (backend_type, results[f"{backend_type}[]"])
    assert results["gemini['GEMINI_API_KEY']"] == "ok"
    assert "Groq API key not found" in results["groq['OPENAI_API_KEY']"]


def _key(backend_type: str) -> str:
    return f"key-for-{backend_type}"


async def test_one_agent_per_backend_type_through_ctxproxy(tmp_path: Path) -> None:
    chat, gemini = OpenAIChatFake(), GeminiFake()
    chat_types = ["chatcompletion", *KEYED_CHAT_TYPES, *KEYLESS_CHAT_TYPES]
    await chat.start()
    await gemini.start()
    upstream = {"base_url": chat.base_url, "api": "openai", "api_key_env": None, "models_url": None}
    proxy_config: dict[str, Any] = {
        "upstreams": {
            **{f"up-{t.replace('_', '-')}": upstream for t in chat_types},
            "google": {"base_url": gemini.base_url, "api": "gemini", "api_key_env": None, "models_url": None},
        },
        "catalog": {"refresh_on_start": False, "sources": ["litellm"], "cache_dir": str(tmp_path / "cat")},
        "logging": {"level": "warning"},
    }
    try:
        async with ProxyProcess(proxy_config, tmp_path) as proxy:
            agents = [
                {
                    "id": f"agent_{t}",
                    "backend": {
                        "type": t,
                        "model": f"model-{t}",
                        "base_url": f"{proxy.url}/agent/agent_{t}/up-{t.replace('_', '-')}",
                    },
                }
                for t in chat_types
            ]
            agents.append({"id": "agent_gemini", "backend": {"type": "gemini", "model": "gemini-2.5-flash"}})
            config = tmp_path / "all-backends.yaml"
            config.write_text(
                yaml.safe_dump({"agents": agents, "ui": {"display_type": "simple", "logging_enabled": True}})
            )
            env = {var: _key(t) for t, var in KEYED_CHAT_TYPES.items()}
            env.update(
                OPENAI_API_KEY=_key("chatcompletion"),
                GOOGLE_API_KEY=_key("gemini-google"),
                GEMINI_API_KEY=_key("gemini-gemini"),
                GOOGLE_GEMINI_BASE_URL=f"{proxy.url}/google",
            )
            run = await MassgenSandbox(tmp_path / "massgen", extra_env=env).run(config, "What is 2+2?")
            proxy_log = proxy.log()
    finally:
        await chat.close()
        await gemini.close()

    print(
        f"{len(agents)} backend types in one MassGen run: {run.seconds:.1f}s, {len(chat.requests)} chat requests"
    )
    assert run.returncode == 0 and run.winners, run.output[-3000:] + "\n--- proxy log ---\n" + proxy_log
    assert not chat.invalid and not gemini.invalid
    for t in chat_types:
        seen = {r.headers.get("Authorization") for r in chat.requests if r.body.get("model") == f"model-{t}"}
        want = "Bearer EMPTY" if t in KEYLESS_CHAT_TYPES else f"Bearer {_key(t)}"
        assert seen == {want}, (t, seen)
    keys = {r.headers.get("x-goog-api-key") or r.query.get("key") for r in gemini.requests}
    assert keys == {_key("gemini-google")}, keys  # GOOGLE_API_KEY wins over GEMINI_API_KEY
