"""Every command block of README.md and docs/quickstart.md is run.

- ``console`` blocks carry ``<!-- doc-test -->`` and are run by ``test_docs_examples.py``.
- ``python`` blocks (the SDK snippets) run as written, with ``http://127.0.0.1:8787`` pointed at
  a proxy in front of the strict fakes, twice: with no key variable in the client's environment
  and with ``OPENAI_API_KEY``/``ANTHROPIC_API_KEY`` set. Each must succeed and reach the fake
  with the key the proxy injects.
- ``sh`` blocks: ``make TARGET`` must be a target (``make -n``, nothing runs), ``export
  X_BASE_URL=…`` is used by the SDK that reads it, and anything else fails the test unless it is
  listed in ``NOT_RUN`` with the reason.
"""

from __future__ import annotations

import asyncio
import os
import re
import shlex
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio

from proxy.app import create_app
from proxy.config import load_settings
from tests.fakes.strict import AnthropicFake, OpenAIChatFake, always
from tests.integration.conftest import Running, start_app

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", ROOT / "docs" / "quickstart.md"]
DOCUMENTED = "http://127.0.0.1:8787"
REPLY = "Hello from the strict fake"
PROXY_KEYS = {"OPENAI_API_KEY": "sk-proxy-openai", "ANTHROPIC_API_KEY": "sk-ant-proxy"}
CLIENT_KEYS = {"OPENAI_API_KEY": "sk-client-openai", "ANTHROPIC_API_KEY": "sk-ant-client"}
# Lines that cannot run in a test, and why.
NOT_RUN = {
    "git clone <this repo> ctxproxy && cd ctxproxy": "needs the network and the reader's clone URL",
}
# What a tool does with a base URL variable: one call through the SDK that reads it.
ENV_USERS = {
    "OPENAI_BASE_URL": (
        "from openai import OpenAI\n"
        "r = OpenAI(api_key='dummy').chat.completions.create("
        "model='gpt-4o-mini', messages=[{'role': 'user', 'content': 'hi'}])\n"
        "print(r.choices[0].message.content)\n"
    ),
    "ANTHROPIC_BASE_URL": (
        "import anthropic\n"
        "r = anthropic.Anthropic(api_key='dummy').messages.create("
        "model='claude-sonnet-4-5', max_tokens=64, messages=[{'role': 'user', 'content': 'hi'}])\n"
        "print(r.content[0].text)\n"
    ),
}


@dataclass(frozen=True)
class Block:
    doc: str
    line: int
    lang: str
    text: str
    marked: bool

    @property
    def id(self) -> str:
        return f"{self.doc}:{self.line}"


def blocks() -> list[Block]:
    out: list[Block] = []
    for path in DOCS:
        lines = path.read_text(encoding="utf-8").split("\n")
        i = 0
        while i < len(lines):
            m = re.match(r"^```(\w*)\s*$", lines[i])
            if m is None:
                i += 1
                continue
            j = i + 1
            while lines[j].strip() != "```":
                j += 1
            marked = i > 0 and lines[i - 1].strip() == "<!-- doc-test -->"
            out.append(Block(path.name, i + 1, m.group(1), "\n".join(lines[i + 1 : j]), marked))
            i = j + 1
    return out


BLOCKS = blocks()
PYTHON = [b for b in BLOCKS if b.lang == "python"]
SHELL = [b for b in BLOCKS if b.lang == "sh"]


def test_every_block_is_one_the_tests_run() -> None:
    assert {b.doc for b in BLOCKS} == {"README.md", "quickstart.md"}
    for b in BLOCKS:
        assert b.lang in ("console", "python", "sh"), f"{b.id}: a ```{b.lang} block no test runs"
        if b.lang == "console":
            assert b.marked, f"{b.id}: a console block without <!-- doc-test -->"
    assert len(PYTHON) >= 4 and len(SHELL) >= 3


def _client_env(tmp_path: Path, keys: dict[str, str]) -> dict[str, str]:
    keep = ("LANG", "LC_ALL", "TZ", "TMPDIR", "PATH")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(HOME=str(tmp_path), PYTHONPATH=str(ROOT), **keys)
    return env


@dataclass
class Stack:
    proxy: Running
    openai: OpenAIChatFake
    anthropic: AnthropicFake

    def received(self) -> list[tuple[str, str]]:
        """(upstream path, key) of every request the fakes got."""
        out = [(r.path, r.headers.get("Authorization", "")) for r in self.openai.requests]
        return out + [(r.path, r.headers.get("x-api-key", "")) for r in self.anthropic.requests]

    def clear(self) -> None:
        self.openai.requests.clear()
        self.anthropic.requests.clear()


@pytest_asyncio.fixture
async def stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Stack]:
    for name, value in PROXY_KEYS.items():
        monkeypatch.setenv(name, value)  # the proxy's environment: the keys it injects
    async with OpenAIChatFake(script=always(REPLY)) as oai, AnthropicFake(script=always(REPLY)) as ant:
        openai_like = {"base_url": oai.base_url, "api": "openai", "api_key_env": "OPENAI_API_KEY"}
        settings = load_settings(
            environ={},
            overrides={
                "upstreams": {
                    "openai": openai_like,
                    "groq": openai_like,
                    "anthropic-openai": {**openai_like, "api_key_env": "ANTHROPIC_API_KEY"},
                    "anthropic": {
                        "base_url": ant.base_url,
                        "api": "anthropic",
                        "api_key_env": "ANTHROPIC_API_KEY",
                    },
                },
                "catalog": {
                    "cache_dir": str(tmp_path / "cache"),
                    "refresh_on_start": False,
                    "sources": ["litellm"],
                },
            },
        )
        proxy = await start_app(create_app(settings))
        try:
            yield Stack(proxy, oai, ant)
        finally:
            await proxy.runner.cleanup()


async def _run(argv: list[str], env: dict[str, str]) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        *argv, env=env, cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    out, _ = await asyncio.wait_for(proc.communicate(), 120)
    return proc.returncode or 0, out.decode()


def _injected(stack: Stack) -> None:
    received = stack.received()
    assert received, "the snippet sent nothing"
    for path, key in received:
        assert key.removeprefix("Bearer ") in PROXY_KEYS.values(), (path, key)


@pytest.mark.parametrize("keys", ["no key variable", "key variables set"])
@pytest.mark.parametrize("block", PYTHON, ids=[b.id for b in PYTHON])
async def test_sdk_snippet(block: Block, keys: str, stack: Stack, tmp_path: Path) -> None:
    assert DOCUMENTED in block.text, f"{block.id}: the snippet does not use the documented address"
    code = block.text.replace(DOCUMENTED, stack.proxy.url)
    env = _client_env(tmp_path, CLIENT_KEYS if keys == "key variables set" else {})
    code_rc, output = await _run([sys.executable, "-c", code], env)
    assert code_rc == 0, f"{block.id} ({keys}):\n{output}"
    _injected(stack)  # the snippets pass the placeholder: the proxy's key reaches the provider
    if "print(" in block.text:
        assert REPLY in output, output


def _shell_lines(block: Block) -> list[str]:
    out = []
    for raw in block.text.split("\n"):
        line = raw.split("  #", 1)[0].strip()
        if line and not line.startswith("#"):
            out.append(line)
    return out


@pytest.mark.parametrize("block", SHELL, ids=[b.id for b in SHELL])
async def test_shell_block(block: Block, stack: Stack, tmp_path: Path) -> None:
    exports: dict[str, str] = {}
    for line in _shell_lines(block):
        if line in NOT_RUN:
            continue
        words = shlex.split(line)
        if words[0] == "make":
            rc, output = await _run(["make", "-n", *words[1:]], dict(os.environ))
            assert rc == 0, f"{block.id}: {line!r} is not a make target\n{output}"
        elif words[0] == "export" and len(words) == 2 and "=" in words[1]:
            name, value = words[1].split("=", 1)
            assert name in ENV_USERS, f"{block.id}: no test uses {name}"
            exports[name] = value
        else:
            pytest.fail(f"{block.id}: {line!r}: the doc test does not know how to run this line")
    for name, value in exports.items():
        assert value.startswith(DOCUMENTED), value
        stack.clear()
        env = _client_env(tmp_path, {name: value.replace(DOCUMENTED, stack.proxy.url)})
        rc, output = await _run([sys.executable, "-c", ENV_USERS[name]], env)
        assert rc == 0 and REPLY in output, f"{block.id}: {name}:\n{output}"
        _injected(stack)


def test_readme_names_every_embedded_upstream() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    intro = readme.split("```python", 1)[0]  # the paragraph that lists them
    missing = [name for name in load_settings(environ={}).upstreams if f"`{name}`" not in intro]
    assert not missing, f"README's upstream list leaves out {missing}"


def test_quickstart_upstream_table_is_the_embedded_default() -> None:
    """Each row of the quickstart's upstream table names the base URL and API family the
    embedded default config really has, and every embedded upstream has a row."""
    text = (ROOT / "docs" / "quickstart.md").read_text(encoding="utf-8")
    rows = {
        m.group(1): (m.group(2), m.group(3))
        for m in re.finditer(r"^\| `([\w-]+)` \| `([^`]+)`[^|]*\| (\w+) \|$", text, re.M)
    }
    upstreams = load_settings(environ={}).upstreams
    assert set(rows) == set(upstreams), set(rows) ^ set(upstreams)
    wrong = {n: rows[n] for n, u in upstreams.items() if rows[n] != (u.base_url, u.api)}
    assert not wrong, f"quickstart rows differ from configs/default.yaml: {wrong}"
