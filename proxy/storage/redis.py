"""Redis/Valkey storage (redis.asyncio), failing open: errors are logged and act as misses."""

from __future__ import annotations

from typing import Any

import structlog

log = structlog.get_logger("ctxproxy.storage")


class RedisKV:
    def __init__(self, url: str, prefix: str = "ctxproxy:", default_ttl_s: float = 86400.0) -> None:
        import redis.asyncio as aioredis  # imported only when configured

        self._client: Any = aioredis.from_url(url, socket_timeout=2.0, socket_connect_timeout=2.0)
        self._prefix = prefix
        self._ttl_ms = int(default_ttl_s * 1000)
        self.errors = 0

    def _fail(self, op: str, exc: Exception) -> None:
        self.errors += 1
        log.warning("storage.redis_error", op=op, error=type(exc).__name__)

    async def get(self, key: str) -> bytes | None:
        try:
            value = await self._client.get(self._prefix + key)
        except Exception as exc:
            self._fail("get", exc)
            return None
        return bytes(value) if value is not None else None

    async def set(self, key: str, value: bytes, ttl_s: float | None = None) -> None:
        px = int(ttl_s * 1000) if ttl_s else self._ttl_ms
        try:
            await self._client.set(self._prefix + key, value, px=px)
        except Exception as exc:
            self._fail("set", exc)

    async def set_nx(self, key: str, value: bytes, ttl_s: float) -> bool:
        try:
            return bool(await self._client.set(self._prefix + key, value, nx=True, px=int(ttl_s * 1000)))
        except Exception as exc:
            self._fail("set_nx", exc)
            return True  # fail open: act as if we hold the lease

    async def delete(self, key: str) -> None:
        try:
            await self._client.delete(self._prefix + key)
        except Exception as exc:
            self._fail("delete", exc)

    async def close(self) -> None:
        try:
            await self._client.aclose()
        except Exception as exc:
            self._fail("close", exc)
