"""Request-path tails: dot segments resolved, never above the upstream's ``base_url`` prefix."""

from __future__ import annotations

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
