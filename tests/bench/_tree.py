"""``--tree PATH``: measure another checkout's ``proxy`` package with this checkout's benchmarks.

Imported by a benchmark script before anything from ``proxy`` or ``tests``: it puts the
measured tree first on ``sys.path``, imports ``proxy`` from it, then puts this checkout on the
path for the benchmark's own modules (``tests.bench…``).
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parents[2]  # this benchmark's checkout


def bootstrap(argv: list[str]) -> str:
    """Import ``proxy`` from ``--tree`` (else this checkout); return the package's folder."""
    tree = Path(argv[argv.index("--tree") + 1]).resolve() if "--tree" in argv else HERE
    sys.path.insert(0, str(tree))
    import proxy

    sys.path.insert(0, str(HERE))
    for name in [m for m in sys.modules if m == "tests" or m.startswith("tests.")]:
        del sys.modules[name]
    return str(Path(proxy.__file__).parent)


def arg(argv: list[str], name: str, default: str) -> str:
    """The value after ``name`` in ``argv``, else ``default``."""
    return argv[argv.index(name) + 1] if name in argv else default
