"""Token counting: offline tiktoken, memoized per content, calibrated from provider usage.

OpenAI's models are counted exactly (o200k; cl100k for those before gpt-4o, loaded on first
use); other providers are approximated with o200k times a per-provider factor, then corrected
by calibration from the ``usage`` the provider reports. Counts are memoized per text under a
cheap key (length plus three short samples), so a resent history costs a dict lookup per
segment.

- ``text.py``: counting one text (piecewise encoding, memo key)
- ``memo.py``: the bounded memo of counts
- ``images.py``: image / document parts in a wire item list
- ``calibration.py``: family factors and the per-model correction learned from usage
- ``estimate.py``: recognising a resent history (the incremental request estimate)
- ``counter.py``: :class:`TokenCounter`, which puts them together
"""

from __future__ import annotations

from types import MappingProxyType

from proxy.compress.tokens.calibration import (
    CALIBRATION_PRIOR,
    CALIBRATION_SAMPLES,
    CORRECTION_BOUNDS,
    SAMPLE_BOUNDS,
    Calibration,
    family_factor,
)
from proxy.compress.tokens.counter import TokenCounter
from proxy.compress.tokens.estimate import SeenConversations, item_sig, sample_positions
from proxy.compress.tokens.images import count_images
from proxy.compress.tokens.memo import BoundedMemo
from proxy.compress.tokens.text import encoded_len, memo_key
from proxy.wire import CHAT_APIS

# Read-only view of each ChatAPI's ``image_tokens``, kept importable for code on branches
# merged alongside this one; new code asks ``get_adapter(api).image_tokens``.
IMAGE_TOKENS = MappingProxyType({name: chat_api.image_tokens for name, chat_api in CHAT_APIS.items()})

__all__ = [
    "CALIBRATION_PRIOR",
    "CALIBRATION_SAMPLES",
    "CORRECTION_BOUNDS",
    "IMAGE_TOKENS",
    "SAMPLE_BOUNDS",
    "BoundedMemo",
    "Calibration",
    "SeenConversations",
    "TokenCounter",
    "count_images",
    "encoded_len",
    "family_factor",
    "item_sig",
    "memo_key",
    "sample_positions",
]
