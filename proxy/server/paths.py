"""Request-path tails: dot segments resolved, never above the upstream's ``base_url`` prefix."""

from __future__ import annotations

import re
from urllib.parse import unquote

from proxy.server.errors import ProxyError


def normalize_tail(raw_tail: str) -> str:
    """Resolve ``.`` and ``..`` segments (also percent-encoded: ``%2e%2e``) of a raw tail.

    The tail stays percent-encoded otherwise. A tail that climbs above its root — out of the
    upstream's ``base_url`` prefix — or hides a dot segment behind an encoded slash or a
    backslash is refused.
    """
    if "." not in raw_tail and "%2" not in raw_tail.lower():
        return raw_tail  # the common case: nothing to resolve
    out: list[str] = []
    segments = raw_tail.split("/")
    for i, segment in enumerate(segments):
        plain = unquote(segment)
        if plain in (".", ".."):
            if plain == "..":
                if not out:
                    raise ProxyError(400, "request path would leave the upstream's base_url", "invalid_path")
                out.pop()
            if i == len(segments) - 1:
                out.append("")  # ``a/b/..`` is the directory ``a/``
            continue
        pieces = plain.replace("\\", "/").split("/")
        if len(pieces) > 1 and any(piece in (".", "..") for piece in pieces):
            raise ProxyError(400, "request path hides a dot segment behind an encoded slash", "invalid_path")
        out.append(segment)
    return "/".join(out)


_VERSION = re.compile(r"v\d+(?:(?:alpha|beta)\d*)?")


def collapse_version(base_path: str, tail: str) -> tuple[str, str | None]:
    """Drop a version segment written twice: ``(tail, the segment dropped or None)``.

    An SDK pointed at ``http://HOST/openai/v1`` asks for ``/openai/v1/chat/completions``, while
    the upstream's ``base_url`` already ends in ``/v1``; joined as is, the provider would see
    ``/v1/v1/chat/completions`` and answer 404. Also the Anthropic SDK at ``…/anthropic/v1``,
    which adds ``/v1/messages`` itself: ``v1/v1/messages``. No provider serves such a path.
    """
    head, sep, rest = tail.partition("/")
    if not _VERSION.fullmatch(head):
        return tail, None
    last = base_path.rstrip("/").rpartition("/")[2]
    if head == last:
        return rest, head
    if sep and rest.partition("/")[0] == head:
        return rest, head
    return tail, None
