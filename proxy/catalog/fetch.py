"""HTTP for catalog sources: one JSON GET/POST with a timeout and classified failures."""

from __future__ import annotations

import asyncio
import email.utils
import hashlib
import time
from collections.abc import Mapping
from typing import Any

import aiohttp
import orjson

from proxy.catalog.bulk import off_loop
from proxy.catalog.split_json import SplitError, loads_out_of_process

_MAX_BODY = 64 * 1024 * 1024
_PARSE_OFF_LOOP = 256 * 1024
_PARSE_OUT_OF_PROCESS = 1024 * 1024


def _hash(raw: bytes) -> str:
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


async def _digest(raw: bytes) -> str:
    return await asyncio.to_thread(_hash, raw)


class FetchError(Exception):
    """A source could not be fetched. ``kind`` is a bounded label fit for a metric."""

    def __init__(self, kind: str, detail: str = "", retry_after: float | None = None) -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind
        self.retry_after = retry_after


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class NotModified(Exception):
    """A conditional GET answered 304: the source's last good list is still current."""


class Fetcher:
    """Wraps a shared ``aiohttp.ClientSession`` with the catalog's timeout."""

    def __init__(self, session: aiohttp.ClientSession, timeout_s: float) -> None:
        self.session = session
        self.timeout = aiohttp.ClientTimeout(total=timeout_s)
        # ETag / Last-Modified seen per URL in this round (the caller keeps them on success).
        self.validators: dict[str, dict[str, str]] = {}

    async def json(
        self,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        method: str = "GET",
        body: Any = None,
        validators: Mapping[str, str] | None = None,
    ) -> Any:
        """The decoded JSON body. ``validators`` (a previous ETag/Last-Modified) make the
        request conditional: a 304 raises :class:`NotModified`."""
        data = orjson.dumps(body) if body is not None else None
        hdrs = dict(headers or {})
        if validators:
            if "etag" in validators:
                hdrs["If-None-Match"] = validators["etag"]
            if "last_modified" in validators:
                hdrs["If-Modified-Since"] = validators["last_modified"]
        if data is not None:
            hdrs.setdefault("content-type", "application/json")
        try:
            async with self.session.request(
                method,
                url,
                headers=hdrs,
                params=params,
                data=data,
                timeout=self.timeout,
                auto_decompress=True,  # the app's session forwards upstream bytes as they are
            ) as resp:
                if resp.status == 304 and validators:
                    raise NotModified(url)
                if resp.status == 429:
                    raise FetchError("rate_limited", url, parse_retry_after(resp.headers.get("Retry-After")))
                if resp.status >= 400:
                    raise FetchError(f"http_{resp.status // 100}xx", f"{resp.status} from {url}")
                if (resp.content_length or 0) > _MAX_BODY:
                    raise FetchError("too_large", url)
                raw = await resp.read()
                seen = {
                    "etag": resp.headers.get("ETag"),
                    "last_modified": resp.headers.get("Last-Modified"),
                    # Most servers send neither: an identical body is recognised by its hash,
                    # so an unchanged 3 MB document is not parsed and merged again. Hashing
                    # megabytes takes ms: done in a worker (it releases the GIL there).
                    "content_hash": await _digest(raw) if len(raw) > _PARSE_OFF_LOOP else _hash(raw),
                }
                self.validators[url] = {k: v for k, v in seen.items() if v}
                if validators and validators.get("content_hash") == seen["content_hash"]:
                    raise NotModified(url)
        except TimeoutError:
            raise FetchError("timeout", url) from None
        except aiohttp.ClientError as exc:
            raise FetchError("network", f"{type(exc).__name__} for {url}") from None
        if len(raw) > _PARSE_OUT_OF_PROCESS:  # LiteLLM's map is ~3 MB: ~10 ms holding the GIL
            try:
                return await loads_out_of_process(raw)
            except SplitError:
                pass  # invalid JSON (reported below) or the child failed: decode here
        try:
            if len(raw) > _PARSE_OFF_LOOP:
                return await off_loop(orjson.loads, raw)
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise FetchError("malformed", f"invalid JSON from {url}") from None
