"""How many image / document parts a wire item list carries (each priced flat per API)."""

from __future__ import annotations

from typing import Any

_IMAGE_PARTS = frozenset({"image_url", "input_image", "image", "document", "input_file", "file"})
_IMAGE_KEYS = frozenset({"inlineData", "inline_data", "fileData", "file_data"})


def count_images(items: Any) -> int:
    """Image / document parts in an item list (two levels deep: tool results hold images too)."""
    if not isinstance(items, list):
        return 0
    n = 0
    for item in items:
        if not isinstance(item, dict):
            continue
        parts = item.get("content")
        if not isinstance(parts, list):
            parts = item.get("parts") if "parts" in item else item.get("output")
        if not isinstance(parts, list):
            continue
        for part in parts:
            if isinstance(part, dict):
                ptype = part.get("type")  # any JSON type: only a string can name an image part
                if (isinstance(ptype, str) and ptype in _IMAGE_PARTS) or not _IMAGE_KEYS.isdisjoint(part):
                    n += 1
                elif isinstance(part.get("content"), list):
                    n += count_images([part])
    return n
