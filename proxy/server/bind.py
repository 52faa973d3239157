"""After the listening sockets are bound: decide loopback from them, warn once if public."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import structlog
from aiohttp import web

from proxy.appkeys import UPSTREAMS

log = structlog.get_logger("ctxproxy")


def _show(addr: Any) -> str:
    if isinstance(addr, tuple | list) and len(addr) >= 2:
        host = str(addr[0])
        return f"[{host}]:{addr[1]}" if ":" in host else f"{host}:{addr[1]}"
    return str(addr)


def note_bound(app: web.Application, addresses: Iterable[Any]) -> bool:
    """Tell the upstream registry which sockets are really bound; True if injection is on.

    Key injection (the operator's key for a client that sent none) needs every listening
    socket on loopback, or ``server.proxy_keys``. ``--host ""`` binds every interface: public.
    """
    registry = app[UPSTREAMS]
    addresses = list(addresses)
    injecting = registry.bound_to(addresses)
    if not injecting:
        log.warning(
            "server.key_injection_off",
            bound=[_show(a) for a in addresses],
            reason="listening on a non-loopback address without server.proxy_keys",
            hint="clients must send their own API keys; set server.proxy_keys to enable injection",
        )
    return injecting
