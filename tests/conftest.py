"""Test-wide set-up: offline, deterministic, no real keys, no user config."""

from __future__ import annotations

import os

os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
os.environ.pop("CTXPROXY_CONFIG", None)
for _name in list(os.environ):
    if _name.startswith("CTXPROXY_") or _name.endswith("_API_KEY"):
        os.environ.pop(_name, None)
