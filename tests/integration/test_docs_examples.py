"""Every doc example marked ``<!-- doc-test -->`` (README.md and docs/*.md) is run, and its
output must match the docs. The other blocks of README.md and docs/quickstart.md (SDK snippets,
shell lines) are run by ``test_docs_blocks.py``.

A marked example is a fenced ``console`` block right after the marker line::

    <!-- doc-test -->
    ```console
    $ ctxproxy compress docs/examples/broken-request.json --context-window 2000   # exit 1
    api openai-chat · model gpt-4o-mini · window 2000 · input budget 1440
    ...
    ```

Lines starting with ``$ `` are commands (run by bash in the repository root, ``ctxproxy``
on the PATH, a fresh HOME, no keys); the lines up to the next command are the expected
output: stdout then stderr. A trailing ``# exit N`` states the exit status (default 0). A
line ``...`` matches any number of lines. Volatile parts are normalised on both sides:
durations (``12.3 ms``), ISO timestamps and source ages.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
MARKER = "<!-- doc-test -->"

_VOLATILE = [
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?"), "<TIME>"),
    (re.compile(r"\b\d+(\.\d+)? ms\b"), "<N> ms"),
]


@dataclass(frozen=True)
class Example:
    doc: str
    line: int
    command: str
    exit_code: int
    expected: list[str]

    @property
    def id(self) -> str:
        return f"{self.doc}:{self.line}"


def examples() -> list[Example]:
    out: list[Example] = []
    for path in [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]:
        lines = path.read_text(encoding="utf-8").split("\n")
        for i, line in enumerate(lines):
            if line.strip() != MARKER:
                continue
            assert lines[i + 1].strip() == "```console", (
                f"{path.name}:{i + 1}: {MARKER} must precede ```console"
            )
            j = i + 2
            current: Example | None = None
            while lines[j].strip() != "```":
                text = lines[j]
                if text.startswith("$ "):
                    if current is not None:
                        out.append(current)
                    command, exit_code = text[2:], 0
                    m = re.search(r"\s+# exit (\d+)$", command)
                    if m:
                        command, exit_code = command[: m.start()], int(m.group(1))
                    current = Example(path.name, j + 1, command, exit_code, [])
                else:
                    assert current is not None, f"{path.name}:{j + 1}: output before any $ command"
                    current.expected.append(text)
                j += 1
            if current is not None:
                out.append(current)
    return out


EXAMPLES = examples()


def normalise(lines: list[str]) -> list[str]:
    out = []
    for line in lines:
        for pattern, repl in _VOLATILE:
            line = pattern.sub(repl, line)
        out.append(line.rstrip())
    while out and not out[-1]:
        out.pop()
    return out


def matches(expected: list[str], actual: list[str]) -> bool:
    """``...`` in ``expected`` stands for any number of lines."""
    if not expected:
        return not actual
    if expected[0] == "...":
        return any(matches(expected[1:], actual[k:]) for k in range(len(actual) + 1))
    return bool(actual) and expected[0] == actual[0] and matches(expected[1:], actual[1:])


@pytest.fixture(scope="module")
def shim(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ``ctxproxy`` on the PATH that runs this checkout."""
    bin_dir = tmp_path_factory.mktemp("bin")
    exe = bin_dir / "ctxproxy"
    exe.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m proxy "$@"\n')
    exe.chmod(0o755)
    return bin_dir


def test_the_docs_have_marked_examples() -> None:
    docs = {e.doc for e in EXAMPLES}
    assert {"README.md", "quickstart.md", "configuration.md"} <= docs, docs
    assert all(e.command.startswith("ctxproxy ") for e in EXAMPLES)


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.id for e in EXAMPLES])
def test_doc_example(example: Example, shim: Path, tmp_path: Path) -> None:
    keep = ("LANG", "LC_ALL", "TZ", "TMPDIR")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(
        PATH=f"{shim}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        HOME=str(tmp_path),
        PYTHONPATH=str(ROOT),
        LITELLM_LOCAL_MODEL_COST_MAP="True",
        COLUMNS="100",
    )
    proc = subprocess.run(
        ["bash", "-o", "pipefail", "-c", example.command],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    actual = normalise((proc.stdout + proc.stderr).split("\n"))
    expected = normalise(example.expected)
    shown = "\n".join(actual)
    assert proc.returncode == example.exit_code, f"{example.id}: exit {proc.returncode}\n{shown}"
    assert matches(expected, actual), f"{example.id}: output differs from the docs. Actual output:\n{shown}"


def test_readme_compress_example_is_the_quickstart_one() -> None:
    """README and quickstart show the same ``ctxproxy compress`` run, printed in full."""
    (readme,) = [e for e in EXAMPLES if e.doc == "README.md" and e.command.startswith("ctxproxy compress ")]
    quick = [e for e in EXAMPLES if e.doc == "quickstart.md" and e.command == readme.command]
    assert quick and quick[0].expected == readme.expected
    assert len(readme.expected) >= 8, "the README shows every line the command prints"
