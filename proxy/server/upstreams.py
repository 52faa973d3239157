"""Configured upstreams: URL building (never another host) and API-key injection."""

from __future__ import annotations

import hmac
import ipaddress
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from multidict import CIMultiDict
from yarl import URL

from proxy.config import ServerSettings, UpstreamSettings
from proxy.server.errors import ProxyError
from proxy.server.paths import normalize_tail
from proxy.wire.families import AUTH_HEADERS, get_family

_TARGETS_MAX = 1024


@dataclass(frozen=True)
class Upstream:
    name: str
    settings: UpstreamSettings
    base: URL
    # target() without a query, memoized per tail: clients ask for the same few URLs all day
    # (a query may carry a client's key: those are built each time, never kept)
    _targets: dict[str, URL] = field(default_factory=dict, compare=False, repr=False)

    @property
    def api(self) -> str:
        return self.settings.api

    def target(self, raw_tail: str, raw_query: str) -> URL:
        """``{base_url}/{tail}?query`` — the host can never differ from the configured one."""
        if raw_query:
            return self._target(raw_tail, raw_query)
        url = self._targets.get(raw_tail)
        if url is None:
            url = self._target(raw_tail, "")  # a path that would leave raises, each time
            if len(self._targets) >= _TARGETS_MAX:
                self._targets.clear()
            self._targets[raw_tail] = url
        return url

    def _target(self, raw_tail: str, raw_query: str) -> URL:
        base = str(self.base).rstrip("/")
        tail = normalize_tail(raw_tail.lstrip("/"))  # routing did it already: a second line
        text = f"{base}/{tail}" if tail else base
        if raw_query:
            text = f"{text}?{raw_query}"
        url = URL(text, encoded=True)
        if (url.scheme, url.host, url.port) != (self.base.scheme, self.base.host, self.base.port):
            raise ProxyError(400, "request path would leave the configured upstream", "invalid_path")
        prefix = self.base.raw_path.rstrip("/")
        if url.raw_path != prefix and not url.raw_path.startswith(prefix + "/"):
            raise ProxyError(400, "request path would leave the upstream's base_url", "invalid_path")
        return url

    def bare_v1_tail(self, tail_after_v1: str) -> str:
        """Bare ``/v1/{tail}``: join without doubling ``/v1`` when the base URL ends with it."""
        if self.base.path.rstrip("/").endswith("/v1"):
            return tail_after_v1
        return f"v1/{tail_after_v1}" if tail_after_v1 else "v1"


def is_loopback_host(host: str) -> bool:
    """A configured bind host that can only mean loopback: ``localhost`` or a loopback IP.

    Empty (every interface), ``0.0.0.0``, ``::`` and any other name count as public.
    """
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]").split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def bound_is_loopback(addresses: Iterable[Any]) -> bool:
    """True when every bound socket address (``getsockname()`` tuples) is a loopback IP.

    Unix sockets (a ``str`` path) count as loopback: only local processes reach them.
    No address at all is not loopback (nothing proves it).
    """
    seen = False
    for addr in addresses:
        seen = True
        if isinstance(addr, str | bytes):
            continue
        host = addr[0] if isinstance(addr, tuple | list) and addr else None
        if not isinstance(host, str) or not is_loopback_host(host):
            return False
    return seen


class UpstreamRegistry:
    def __init__(
        self,
        upstreams: Mapping[str, UpstreamSettings],
        server: ServerSettings,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self._by_name = {name: Upstream(name, s, URL(s.base_url)) for name, s in upstreams.items()}
        self._server = server
        self._environ = os.environ if environ is None else environ
        self._placeholders = frozenset(server.placeholder_keys)
        self._proxy_keys = tuple(k.encode() for k in server.proxy_keys)
        # A first guess from the configured host; :meth:`bound_to` replaces it with what the
        # listening sockets really are once they are bound.
        self.loopback_bind = is_loopback_host(server.host)
        self._noted: set[str] = set()

    def first_time(self, note: str) -> bool:
        """True once per note and process: for log lines worth one line, not one per request."""
        if note in self._noted:
            return False
        self._noted.add(note)
        return True

    def get(self, name: str) -> Upstream | None:
        return self._by_name.get(name)

    def names(self) -> list[str]:
        return list(self._by_name)

    # --- access control -------------------------------------------------------------

    @property
    def requires_proxy_key(self) -> bool:
        return bool(self._proxy_keys)

    def check_proxy_key(self, presented: str | None) -> bool:
        if not self._proxy_keys:
            return True
        if not presented:
            return False
        value = presented.encode()
        return any(hmac.compare_digest(value, k) for k in self._proxy_keys)

    def bound_to(self, addresses: Iterable[Any]) -> bool:
        """Decide loopback from the sockets actually bound; True when injection stays allowed."""
        self.loopback_bind = bound_is_loopback(list(addresses))
        return self.may_inject

    @property
    def may_inject(self) -> bool:
        """Injecting the operator's key is safe on loopback, or behind proxy keys."""
        return self.loopback_bind or self.requires_proxy_key

    # --- key injection --------------------------------------------------------------

    def _is_placeholder(self, value: str) -> bool:
        token = value.strip()
        if token.lower() == "bearer":  # ``Bearer `` with an empty token: no key
            return True
        if token.lower().startswith("bearer "):
            token = token[7:].strip()
        return not token or token in self._placeholders

    def client_has_key(self, headers: CIMultiDict[str], query_key: str | None) -> bool:
        for name in AUTH_HEADERS:
            value = headers.get(name)
            if value is not None and not self._is_placeholder(value):
                return True
        return query_key is not None and not self._is_placeholder(query_key)

    def inject_key(self, upstream: Upstream, headers: CIMultiDict[str], query_key: str | None) -> bool:
        """Put the upstream's configured key in its API's header style when the client has none.

        Returns True when a key was injected.
        """
        env = upstream.settings.api_key_env
        if not env or not self.may_inject or self.client_has_key(headers, query_key):
            return False
        key = self._environ.get(env)
        if not key:
            return False
        for name in AUTH_HEADERS:  # drop placeholders
            headers.popall(name, None)
        headers.update(get_family(upstream.api).auth_headers(key))
        return True
