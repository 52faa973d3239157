"""Drive real MassGen runs (its own venv) and a real ``ctxproxy serve`` process from tests.

MassGen is installed in ``.venv-massgen`` beside the checkout root (``make massgen-venv``) so its pins never
touch the project venv. Each run gets a fresh HOME and working directory: MassGen writes
``~/.massgen`` (session registry) and ``./.massgen`` (logs, sessions).

A long ``<CONVERSATION_HISTORY>`` is what a multi-turn session carries: in interactive mode
MassGen keeps every earlier task and winning final answer and flattens them into the user
message of the next turn (``massgen/cli/run.py::run_interactive_mode`` →
``message_templates.py::format_conversation_history``). Interactive mode reads questions from
stdin (prompt_toolkit falls back to ``input()`` without a TTY), so ``run_session`` pipes
``question 1 / question 2 / /quit``. (``--session-id`` with ``--automation`` would be the other
way, but 0.1.97 crashes there: ``run_single_question`` unpacks three values from
``run_question_with_history``, which returns four.)
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import yaml

ROOT = Path(__file__).resolve().parents[2]
MASSGEN_BIN = ROOT / ".venv-massgen" / "bin" / "massgen"
PROXY_PYTHON = Path(sys.executable)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Agent:
    """One MassGen agent: id, model, where it sends requests, extra headers (tagging)."""

    id: str
    model: str
    base_url: str
    backend: str = "chatcompletion"
    headers: Mapping[str, str] | None = None


def massgen_config(agents: Sequence[Agent]) -> dict[str, Any]:
    out = []
    for agent in agents:
        backend: dict[str, Any] = {"type": agent.backend, "model": agent.model, "base_url": agent.base_url}
        if agent.headers:
            backend["extra_headers"] = dict(agent.headers)
        out.append({"id": agent.id, "backend": backend})
    return {"agents": out, "ui": {"display_type": "simple", "logging_enabled": True}}


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@dataclass(frozen=True)
class MassgenRun:
    returncode: int
    output: str  # stdout + stderr, ANSI colours removed
    seconds: float

    @property
    def winners(self) -> list[str]:
        """One winner per finished turn: ``WINNER: x`` (automation) or ``Selected by: x`` (interactive)."""
        return re.findall(r"(?:^WINNER: |Selected by: )(\w+)", self.output, re.M)


class MassgenSandbox:
    """A HOME and a working directory for a series of MassGen turns."""

    def __init__(self, root: Path, extra_env: Mapping[str, str] | None = None) -> None:
        self.extra_env = dict(extra_env or {})
        self.home = root / "home"
        self.cwd = root / "work"
        self.home.mkdir(parents=True, exist_ok=True)
        self.cwd.mkdir(parents=True, exist_ok=True)
        self.root = root

    def write_config(self, name: str, agents: Sequence[Agent]) -> Path:
        path = self.root / name
        path.write_text(yaml.safe_dump(massgen_config(agents), sort_keys=False))
        return path

    def env(self) -> dict[str, str]:
        keep = ("PATH", "LANG", "LC_ALL", "TZ", "TMPDIR")
        env = {k: v for k, v in os.environ.items() if k in keep}
        env.update(
            HOME=str(self.home),
            OPENAI_API_KEY="dummy",
            LITELLM_LOCAL_MODEL_COST_MAP="True",
            NO_COLOR="1",
            PYTHONWARNINGS="ignore",
        )
        env.update(self.extra_env)
        return env

    async def run(self, config: Path, question: str, limit_s: float = 240.0) -> MassgenRun:
        """One question in automation mode (prints ``WINNER: …``)."""
        return await self._massgen(["--config", str(config), "--automation", question], b"", limit_s)

    async def run_session(self, config: Path, questions: Sequence[str], limit_s: float = 300.0) -> MassgenRun:
        """Several turns of one interactive session: each later turn carries the earlier ones."""
        assert all("\n" not in q for q in questions)
        stdin = "".join(f"{q}\n" for q in questions) + "/quit\n"
        return await self._massgen(["--config", str(config)], stdin.encode(), limit_s)

    async def _massgen(self, args: list[str], stdin: bytes, limit_s: float) -> MassgenRun:
        start = time.monotonic()
        proc = await asyncio.create_subprocess_exec(
            str(MASSGEN_BIN),
            *args,
            cwd=self.cwd,
            env=self.env(),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        try:
            out, _ = await asyncio.wait_for(proc.communicate(stdin), limit_s)
        except TimeoutError:
            proc.kill()
            out, _ = await proc.communicate()
        text = _ANSI.sub("", out.decode("utf-8", "replace"))
        return MassgenRun(
            proc.returncode if proc.returncode is not None else -1, text, time.monotonic() - start
        )


class ProxyProcess:
    """``python -m proxy serve --config FILE`` on a free loopback port, until closed."""

    def __init__(self, config: Mapping[str, Any], workdir: Path) -> None:
        self.port = free_port()
        merged = dict(config)
        merged["server"] = {**dict(config.get("server", {})), "host": "127.0.0.1", "port": self.port}
        self.config_path = workdir / "ctxproxy.yaml"
        self.config_path.write_text(yaml.safe_dump(merged, sort_keys=False))
        self.log_path = workdir / "ctxproxy.log"
        self._proc: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def __aenter__(self) -> ProxyProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CTXPROXY_")}
        env["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
        log = self.log_path.open("wb")
        self._proc = await asyncio.create_subprocess_exec(
            str(PROXY_PYTHON), "-m", "proxy", "serve", "--config", str(self.config_path),
            cwd=ROOT, env=env, stdout=log, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        log.close()
        await self._wait_ready()
        return self

    async def _wait_ready(self, limit_s: float = 30.0) -> None:
        deadline = time.monotonic() + limit_s
        async with aiohttp.ClientSession() as http:
            while time.monotonic() < deadline:
                assert self._proc is not None
                if self._proc.returncode is not None:
                    raise RuntimeError(f"ctxproxy exited with {self._proc.returncode}:\n{self.log()}")
                try:
                    async with http.get(f"{self.url}/livez") as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)
        raise RuntimeError(f"ctxproxy not ready after {limit_s}s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:] if self.log_path.exists() else ""

    async def get(self, path: str) -> tuple[int, str]:
        async with aiohttp.ClientSession() as http, http.get(f"{self.url}{path}") as response:
            return response.status, await response.text()

    async def __aexit__(self, *exc: object) -> None:
        if self._proc is not None and self._proc.returncode is None:
            self._proc.terminate()
            try:
                await asyncio.wait_for(self._proc.wait(), 15)
            except TimeoutError:
                self._proc.kill()
                await self._proc.wait()
