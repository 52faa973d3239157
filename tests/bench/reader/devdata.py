"""Where the real development data lives: ``shared/dev-data`` in the folder beside the checkout.

A worktree (``wt/NAME``) sits one level deeper than the main checkout, so both parents are
tried; ``CTXPROXY_DEV_DATA`` overrides. Nothing here is required: the
benchmarks say plainly when a set is absent.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def dev_data() -> Path | None:
    env = os.environ.get("CTXPROXY_DEV_DATA")
    if env:
        candidates = [Path(env)]
    else:
        candidates = [ROOT.parent / "shared" / "dev-data", ROOT.parent.parent / "shared" / "dev-data"]
    return next((p for p in candidates if p.is_dir()), None)


def locomo_path() -> Path | None:
    base = dev_data()
    path = base / "locomo-dev" / "locomo_dev.json" if base else None
    return path if path and path.is_file() else None


def openhands_dir() -> Path | None:
    base = dev_data()
    path = base / "openhands-dev" if base else None
    return path if path and path.is_dir() else None
