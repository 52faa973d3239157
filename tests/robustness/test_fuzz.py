"""Fuzz: ≥10,000 seeded malformed requests over the four chat routes and the admin routes.

Promise under test (docs/operations.md, "Bad input and faults"): no response 5xx made by the
proxy, no traceback and nothing but JSON lines in the logs, no ``compression.failed`` (the
adapters refuse what they cannot handle before the compactor runs), and ``/livez`` fine after.
The requests are sent concurrently to the real app on loopback in front of a lenient fake
upstream that never answers 5xx itself and marks every response it makes.
"""

from __future__ import annotations

import asyncio
import collections
import os
import time
from typing import Any

import aiohttp

from proxy.appkeys import METRICS
from tests.fakes.lenient import STATE
from tests.robustness.conftest import log_lines, settings_for
from tests.robustness.gen import FuzzRequest, requests

N = int(os.environ.get("FUZZ_N", "10000"))
CONCURRENCY = 48


def _sample(metric: Any, **labels: str) -> float:
    total = 0.0
    for family in metric.collect():
        for s in family.samples:
            if s.name.endswith("_total") and all(s.labels.get(k) == v for k, v in labels.items()):
                total += s.value
    return total


async def _send(session: aiohttp.ClientSession, base: str, req: FuzzRequest) -> tuple[int, bool, bytes]:
    try:
        async with session.request(
            req.method,
            base + req.path,
            data=req.body,
            headers=req.headers,
            skip_auto_headers=("Content-Type",),
        ) as r:
            body = await r.read()
            return r.status, r.headers.get("x-fake-upstream") == "1", body[:300]
    except aiohttp.ClientError as exc:  # the proxy closed the connection: counted, must not happen
        return 0, False, type(exc).__name__.encode()


async def test_fuzz_10k_malformed_requests(
    make_proxy: Any, lenient_fake: Any, lenient_url: str, tmp_path: Any, keys: Any, logs: Any, capfd: Any
) -> None:
    proxy = await make_proxy(settings_for(lenient_url, tmp_path))
    metrics = proxy.app[METRICS]
    statuses: collections.Counter[int] = collections.Counter()
    proxy_5xx: list[tuple[FuzzRequest, int, bytes]] = []
    forwarded = 0
    sem = asyncio.Semaphore(CONCURRENCY)
    started = time.perf_counter()
    # A body that is not what its Content-Encoding says cannot be read to its end: the proxy
    # answers 400 and closes that connection. Those requests get connections of their own, so
    # a close never lands on a pooled connection another request is about to reuse.
    pooled = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=CONCURRENCY))
    single = aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True))
    async with pooled, single:

        async def one(req: FuzzRequest) -> None:
            nonlocal forwarded
            encoded = "Content-Encoding" in req.headers
            async with sem:
                status, upstream_made, body = await _send(single if encoded else pooled, proxy.url, req)
            statuses[status] += 1
            forwarded += upstream_made
            # ... and a client still writing such a body may see the close instead of the 400
            dropped_ok = status == 0 and encoded
            if (status >= 500 or status == 0) and not upstream_made and not dropped_ok:
                proxy_5xx.append((req, status, body))

        await asyncio.gather(*(one(r) for r in requests(seed=20261130, n=N)))
        async with pooled.get(proxy.url + "/livez") as r:
            assert r.status == 200 and (await r.json()) == {"status": "ok"}
    elapsed = time.perf_counter() - started

    assert sum(statuses.values()) == N
    crashes = [ln for ln in log_lines(logs) if ln["event"] in ("request.crashed", "compression.failed")]
    assert not proxy_5xx, [c.get("where") for c in crashes[:5]] + [
        (r.method, r.path, r.headers, r.body[:80], s, b) for r, s, b in proxy_5xx[:8]
    ]
    lines = log_lines(logs)  # every line is one JSON object
    text = logs.getvalue()
    assert "Traceback" not in text and 'File "' not in text
    assert "Traceback" not in capfd.readouterr().err  # nothing plain-text on stderr either
    for secret in keys.values():
        assert secret not in text
    events = collections.Counter(line["event"] for line in lines)
    assert events["compression.failed"] == 0 and events["request.crashed"] == 0
    assert _sample(metrics.compression_fallbacks, reason="exception") == 0
    # the run exercised what it claims to: both refusals and real forwarding, real compaction,
    # the overflow retry path, and every chat route at the upstream
    assert statuses[400] > N // 10 and forwarded > N // 4, statuses
    assert _sample(metrics.compressions) >= N // 100, events  # 209 with this seed
    assert _sample(metrics.overflow_retries) >= N // 200
    state = lenient_fake.app[STATE]
    assert all(
        state.by_route.get(api, 0) > N // 50
        for api in ("openai-chat", "openai-responses", "anthropic", "gemini")
    ), state.by_route
    print(
        f"fuzz: {N} requests in {elapsed:.1f}s, statuses {dict(statuses)}, forwarded {forwarded}, "
        f"compressions {_sample(metrics.compressions):.0f}, overflow retries "
        f"{_sample(metrics.overflow_retries):.0f}, upstream by route {state.by_route}"
    )
