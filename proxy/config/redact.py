"""The effective settings shown with their secrets hidden (``ctxproxy config show``)."""

from __future__ import annotations

import dataclasses
from typing import Any

from proxy.config.settings import Settings

_SECRET_WORDS = ("key", "secret", "token", "password", "authorization", "auth", "credential", "cookie")
# Mappings whose every value is a secret, whatever its name: headers sent upstream carry
# Authorization, api-key, cookies, vendor tokens…
_SECRET_MAPPINGS = ("headers",)


def _redact_url(text: str) -> str:
    """``scheme://user:pw@host/path?token=x&a=b`` → ``scheme://***@host/path?token=***&a=***``."""
    scheme, rest = text.split("://", 1)
    hostpart, sep, tail = rest.partition("/")
    if "@" in hostpart:
        hostpart = "***@" + hostpart.rsplit("@", 1)[1]
    if "?" in hostpart:  # no path: the query follows the host
        hostpart, _, query = hostpart.partition("?")
        tail, sep = "?" + query, ""
    path, qmark, query = tail.partition("?")
    if qmark:
        fragment = ""
        if "#" in query:
            query, fragment = query.split("#", 1)
            fragment = "#" + fragment
        params = [p.split("=", 1)[0] + "=***" if "=" in p else p for p in query.split("&")]
        tail = path + "?" + "&".join(params) + fragment
    return f"{scheme}://{hostpart}{sep}{tail}"


def redacted(settings: Settings) -> dict[str, Any]:
    """The effective settings as plain data with secrets hidden: proxy keys, values of keys that
    name a secret (``*key*``, ``*token*``, ``authorization``…), every header value, and the
    credentials and query values of URLs (``webhook_url: https://h/hook?token=…``)."""

    def walk(node: Any, name: str = "", secret: bool = False) -> Any:
        if isinstance(node, dict):
            inner = secret or name in _SECRET_MAPPINGS
            return {k: walk(v, k, inner) for k, v in node.items()}
        if isinstance(node, list):
            if name == "proxy_keys":
                return ["***"] * len(node)
            return [walk(v, name, secret) for v in node]
        if isinstance(node, str):
            low = name.lower()
            if secret or (
                any(w in low for w in _SECRET_WORDS)
                and not low.endswith("_env")
                and low != "placeholder_keys"
            ):
                return "***" if node else node
            if "://" in node:
                return _redact_url(node)
        return node

    return walk(dataclasses.asdict(settings))  # type: ignore[no-any-return]
