"""The counter's memo: text key → token count, bounded."""

from __future__ import annotations

import itertools


class BoundedMemo(dict[int, int]):
    """A dict that forgets its oldest quarter when full (cheaper than an LRU per lookup)."""

    def __init__(self, maxsize: int) -> None:
        super().__init__()
        self.maxsize = maxsize

    def put(self, key: int, value: int) -> None:
        if len(self) >= self.maxsize:
            for old in list(itertools.islice(iter(self), max(1, self.maxsize // 4))):
                self.pop(old, None)
        self[key] = value
