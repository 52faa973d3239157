"""The Makefile's help and the MassGen page give ``make test-massgen`` the same duration."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_makefile_and_massgen_page_agree_on_how_long_test_massgen_takes() -> None:
    (target,) = [
        line for line in (ROOT / "Makefile").read_text().splitlines() if line.startswith("test-massgen:")
    ]
    made = re.search(r"~(\d+) min", target)
    page = (ROOT / "docs" / "massgen.md").read_text()
    documented = re.search(r"`make test-massgen` installs.*?\(about (\d+) minutes", page, re.DOTALL)
    assert made and documented, (target, documented)
    assert made.group(1) == documented.group(1)
