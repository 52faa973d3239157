"""Test-wide set-up: offline, deterministic, no real keys, no user config."""

from __future__ import annotations

import os

os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
os.environ.pop("CTXPROXY_CONFIG", None)
for _name in list(os.environ):
    if _name.startswith("CTXPROXY_") or _name.endswith("_API_KEY"):
        os.environ.pop(_name, None)

# Property tests: CI (``.ci/run`` sets HYPOTHESIS_PROFILE=ci) runs the same examples every time,
# so a red run is reproducible and never a draw; local runs keep exploring new examples.
from hypothesis import settings as _hypothesis_settings  # noqa: E402

_hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("HYPOTHESIS_PROFILE"):
    _hypothesis_settings.load_profile(os.environ["HYPOTHESIS_PROFILE"])
