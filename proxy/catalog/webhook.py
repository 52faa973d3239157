"""``catalog.webhook_url``: each non-empty catalog diff is POSTed there as JSON, best effort."""

from __future__ import annotations

import aiohttp
import orjson
import structlog

from proxy.catalog.diff import CatalogDiff

log = structlog.get_logger("ctxproxy.catalog")


async def post_diff(session: aiohttp.ClientSession, url: str, diff: CatalogDiff, timeout_s: float) -> None:
    """One attempt; a failure is logged (status or error class), never raised."""
    try:
        async with session.post(
            url,
            data=orjson.dumps(diff.to_dict()),
            headers={"content-type": "application/json"},
            timeout=aiohttp.ClientTimeout(total=timeout_s),
        ) as resp:
            if resp.status >= 400:
                log.warning("catalog_webhook_failed", status=resp.status)
    except (TimeoutError, aiohttp.ClientError) as exc:
        log.warning("catalog_webhook_failed", error=type(exc).__name__)
