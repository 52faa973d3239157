"""The shared tier: Redis/Valkey through redis.asyncio, strict (errors raise).

:class:`~proxy.storage.tiered.TieredKV` puts it behind a local copy, a latency budget and a
circuit breaker; nothing else talks to Redis. redis-py does the low-level work: socket and
connect timeouts (``storage.timeout_s``), a health-check PING on connections idle longer than
``health_check_interval``, and one immediate retry on a fresh connection when a pooled one was
closed under it (a restarted Redis). Timeouts are not retried: the breaker handles a Redis that
stopped answering.

Versioned values live in a hash (``v`` version, ``d`` data), written by a script that keeps the
newer version; a plain string under the same key (a state written before versions existed)
reads as version 0.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote, urlsplit

_GET_LATEST = """
local t = redis.call('TYPE', KEYS[1])['ok']
if t == 'hash' then return redis.call('HMGET', KEYS[1], 'v', 'd') end
if t == 'string' then return {'0', redis.call('GET', KEYS[1])} end
return false
"""

_SET_IF_NEWER = """
local t = redis.call('TYPE', KEYS[1])['ok']
if t == 'hash' then
  local cur = tonumber(redis.call('HGET', KEYS[1], 'v') or '-1')
  if cur > tonumber(ARGV[1]) then return 0 end
elseif t ~= 'none' then
  redis.call('DEL', KEYS[1])
end
redis.call('HSET', KEYS[1], 'v', ARGV[1], 'd', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
"""

_CREDENTIALS = re.compile(r"(\w+://)[^@/\s]*@")


def describe(exc: BaseException, url: str | None = None) -> str:
    """An exception as a log-safe reason: type and message, without credentials."""
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    text = _CREDENTIALS.sub(r"\1***@", text)
    if url:
        parts = urlsplit(url)
        for secret in (parts.password, parts.username):
            if secret:
                text = text.replace(secret, "***").replace(unquote(secret), "***")
    return text[:300]


class RedisKV:
    """One Redis connection pool; every call raises on a backend error or timeout."""

    def __init__(
        self,
        url: str,
        prefix: str = "ctxproxy:",
        default_ttl_s: float = 86400.0,
        *,
        timeout_s: float = 0.5,
        health_check_s: int = 10,
    ) -> None:
        import redis.asyncio as aioredis  # imported only when configured
        from redis.asyncio.retry import Retry
        from redis.backoff import NoBackoff
        from redis.exceptions import ConnectionError as RedisConnectionError

        self.url = url
        self._client: Any = aioredis.from_url(
            url,
            socket_timeout=timeout_s,
            socket_connect_timeout=timeout_s,
            health_check_interval=health_check_s,
            retry=Retry(NoBackoff(), 1, supported_errors=(RedisConnectionError,)),
            retry_on_timeout=False,
        )
        self._get_latest = self._client.register_script(_GET_LATEST)
        self._set_if_newer = self._client.register_script(_SET_IF_NEWER)
        self._prefix = prefix
        self._ttl_ms = int(default_ttl_s * 1000)

    def _px(self, ttl_s: float | None) -> int:
        return int(ttl_s * 1000) if ttl_s else self._ttl_ms

    async def ping(self) -> None:
        await self._client.ping()

    async def warm(self) -> None:
        """Open a connection and load the scripts, so that the first lookup is not the one
        that pays for the handshake."""
        await self._client.ping()
        for script in (_GET_LATEST, _SET_IF_NEWER):
            await self._client.script_load(script)

    async def get(self, key: str) -> bytes | None:
        value = await self._client.get(self._prefix + key)
        return bytes(value) if value is not None else None

    async def set(self, key: str, value: bytes, ttl_s: float | None = None) -> None:
        await self._client.set(self._prefix + key, value, px=self._px(ttl_s))

    async def set_nx(self, key: str, value: bytes, ttl_s: float) -> bool:
        return bool(await self._client.set(self._prefix + key, value, nx=True, px=int(ttl_s * 1000)))

    async def delete(self, key: str) -> None:
        await self._client.delete(self._prefix + key)

    async def versioned(self, key: str) -> tuple[int, bytes] | None:
        """``(version, value)`` or None."""
        found = await self._get_latest(keys=[self._prefix + key])
        if not found or found[1] is None:
            return None
        return int(found[0] or 0), bytes(found[1])

    async def set_versioned(self, key: str, value: bytes, version: int, ttl_s: float | None = None) -> None:
        await self._set_if_newer(keys=[self._prefix + key], args=[version, value, self._px(ttl_s)])

    async def close(self) -> None:
        await self._client.aclose()
