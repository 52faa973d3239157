"""Where an exception came from, without its message (which may quote request data)."""

from __future__ import annotations

import os
import traceback


def exc_where(exc: BaseException, frames: int = 3) -> str:
    """The innermost ``frames`` frames as ``file.py:line:function``, innermost first."""
    tb = traceback.extract_tb(exc.__traceback__)[-frames:]
    return " < ".join(f"{os.path.basename(f.filename)}:{f.lineno}:{f.name}" for f in reversed(tb))
