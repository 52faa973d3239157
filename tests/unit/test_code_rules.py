"""Rules of docs/architecture.md that a reader would otherwise check by grep, checked on every run.

``PENDING`` lists the known exceptions still in the code, each with the change that removes it:
a new exception fails the test; a pending one that is fixed may (and should) leave the list.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROXY = ROOT / "proxy"

# file (relative to the repo) → why it is still an exception
PENDING_ENV_WRITES: set[str] = set()
PENDING_API_BRANCHES: set[str] = set()


def _modules() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(PROXY.rglob("*.py")):
        yield path.relative_to(ROOT).as_posix(), ast.parse(path.read_text(), str(path))


def _is_environ(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "environ"
        and isinstance(node.value, ast.Name)
        and node.value.id == "os"
    )


def _env_writes(tree: ast.Module) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        targets: list[ast.AST] = []
        if isinstance(node, ast.Assign | ast.AugAssign | ast.Delete):
            targets = list(node.targets) if isinstance(node, ast.Assign | ast.Delete) else [node.target]
        if any(isinstance(t, ast.Subscript) and _is_environ(t.value) for t in targets):
            lines.append(node.lineno)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            f = node.func
            if _is_environ(f.value) and f.attr in {
                "setdefault",
                "update",
                "pop",
                "popitem",
                "clear",
                "__setitem__",
            }:
                lines.append(node.lineno)
            if isinstance(f.value, ast.Name) and f.value.id == "os" and f.attr in {"putenv", "unsetenv"}:
                lines.append(node.lineno)
    return lines


def _names_an_api(node: ast.AST) -> bool:
    name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None
    return name in {"api", "chat_api", "family", "shape"}


def _is_literal(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    return isinstance(node, ast.Tuple | ast.List | ast.Set) and all(_is_literal(e) for e in node.elts)


def _api_branches(tree: ast.Module) -> list[int]:
    """``api == "…"``, ``x.api != "…"``, ``family in ("…", …)``: a decision on an API's name."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and len(node.comparators) == 1:
            left, right, op = node.left, node.comparators[0], node.ops[0]
            if _names_an_api(left) and _is_literal(right):
                lines.append(node.lineno)
            elif isinstance(op, ast.Eq | ast.NotEq) and _names_an_api(right) and _is_literal(left):
                lines.append(node.lineno)
    return lines


def test_only_the_cli_entry_point_writes_the_environment() -> None:
    found = {
        f"{name}:{line}"
        for name, tree in _modules()
        if name != "proxy/cli.py" and name not in PENDING_ENV_WRITES
        for line in _env_writes(tree)
    }
    assert not found, "os.environ written outside proxy/cli.py (pass the value instead)"


def test_no_branch_on_an_api_name_outside_the_wire_package() -> None:
    found = {
        f"{name}:{line}"
        for name, tree in _modules()
        if not name.startswith("proxy/wire/") and name not in PENDING_API_BRANCHES
        for line in _api_branches(tree)
    }
    assert not found, "ask the ChatAPI or the Family (proxy/wire/) instead of comparing names"


def test_the_checks_see_what_they_look_for() -> None:
    sample = ast.parse(
        "import os\n"
        "os.environ['A'] = '1'\n"
        "os.environ.setdefault('B', '2')\n"
        "if api == 'gemini': pass\n"
        "if up.api != 'openai': pass\n"
        "if chat_api in ('anthropic', 'gemini'): pass\n"
        "if api == other: pass\n"
        "if 'openai' == family: pass\n"
        "if 'embed' in family: pass\n"  # a substring test on some other family (a model's)
    )
    assert _env_writes(sample) == [2, 3]
    assert sorted(_api_branches(sample)) == [4, 5, 6, 8]


_PROCESS_WORDS = re.compile(r"\b(issue|milestone|phase) ?#?\d+\b", re.IGNORECASE)


def test_code_speaks_of_the_code_not_of_how_it_was_made() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in sorted(PROXY.rglob("*.py"))
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if _PROCESS_WORDS.search(line)
    ]
    assert not found


def _repo_files() -> Iterator[Path]:
    yield ROOT / "Makefile"
    yield ROOT / ".ci" / "run"
    yield ROOT / "pyproject.toml"
    for top in ("proxy", "tests"):
        for path in sorted((ROOT / top).rglob("*")):
            if path.is_file() and path.suffix in {
                ".py",
                ".toml",
                ".cfg",
                ".ini",
                ".yaml",
                ".yml",
                ".sh",
                ".txt",
            }:
                if "data" not in path.relative_to(ROOT).parts[:2]:  # tests/data: the copied fixtures
                    yield path


def test_nothing_reads_outside_the_repository() -> None:
    outside = re.compile("|".join(map(re.escape, ["../" + "shared", "/work" + "/"])))
    found = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in _repo_files()
        if path != Path(__file__).resolve()
        for n, line in enumerate(path.read_text(errors="replace").splitlines(), 1)
        if outside.search(line)
    ]
    assert not found, "copy what a test needs into tests/data/ (and say where it came from)"


MAX_LINES = 350  # a file in proxy/ holds one concept: past this, split it by concern


def test_no_file_in_the_package_is_over_350_lines() -> None:
    over = {
        path.relative_to(ROOT).as_posix(): n
        for path in sorted(PROXY.rglob("*.py"))
        if (n := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert not over, f"split these by concern: {over}"
