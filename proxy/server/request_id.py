"""The request id: the client's ``x-request-id`` when it is safe to log and echo, else a new one."""

from __future__ import annotations

import os
import re

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:@/+=-]{1,128}$")


def request_id_from(given: str | None) -> str:
    """``given`` (the client's ``x-request-id``) when it is a plain token, else a new one (it is logged)."""
    if given and _SAFE_REQUEST_ID.match(given):
        return given
    return os.urandom(16).hex()  # 32 random hex digits as uuid4().hex, no UUID object built
