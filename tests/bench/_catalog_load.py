"""Request latency of the real proxy while its catalog refreshes, for ``bench_catalog.py``: a
mock upstream, a fake catalog server and ``python -m proxy serve`` on loopback, 32 concurrent
clients at constant load while the fake catalog alternates phases (fetches failing fast, then
full bodies that are parsed, merged, rebuilt and persisted). Each ``SCENARIOS`` entry is a
refresh rate; samples are tagged with the phase they started in."""

from __future__ import annotations

import asyncio
import shutil
import time
from pathlib import Path

import aiohttp
import orjson
from _catalog_startup import MODELS_DEV_SIZE, fake_config
from _util import free_port, spawn, stop, wait_http_ok

from tests.fakes.catalog_config import all_keys

TAIL_S = 2.5  # after a refreshing phase: the 1-s commit debounce + rebuild + snapshot write


BODY = orjson.dumps(
    {
        "model": "gpt-4.1",
        "messages": [
            {"role": "system", "content": "You are terse."},
            {"role": "user", "content": "hello " * 300},
        ],
    }
)


async def control(fake_port: int, action: str) -> None:
    async with (
        aiohttp.ClientSession() as s,
        s.post(f"http://127.0.0.1:{fake_port}/_control/{action}") as resp,
    ):
        await resp.read()


async def metric_sum(port: int, prefix: str) -> float:
    async with aiohttp.ClientSession() as s, s.get(f"http://127.0.0.1:{port}/metrics") as resp:
        text = await resp.text()
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(prefix))


async def interleaved_load(
    url: str,
    port: int,
    fake_port: int,
    rounds: int,
    phase_s: float,
    concurrency: int,
    etags: bool,
    changing: bool = False,
) -> tuple[dict[str, list[float]], float]:
    """Constant load; the fake catalog alternates "down" (every fetch fails fast: no new data,
    no rebuild) and "up" (full bodies: parse, merge, rebuild, persist). Samples are tagged
    with the phase they started in."""
    samples: dict[str, list[float]] = {"no refresh": [], "refreshing": []}
    phase = ["no refresh"]
    stop_at = [float("inf")]
    headers = {"Content-Type": "application/json", "Authorization": "Bearer sk-bench"}
    ok_refreshes = 0.0
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as session:

        async def worker() -> None:
            while time.perf_counter() < stop_at[0]:
                tag, t0 = phase[0], time.perf_counter()
                async with session.post(url, data=BODY, headers=headers) as resp:
                    await resp.read()
                    assert resp.status == 200, resp.status
                if tag == phase[0]:  # drop samples that straddle a phase change
                    samples[tag].append((time.perf_counter() - t0) * 1000)

        await control(fake_port, "etag" if etags else "noetag")
        await control(fake_port, "changing" if changing else "same")
        workers = [asyncio.create_task(worker()) for _ in range(concurrency)]
        await asyncio.sleep(1.0)  # warm-up, discarded
        for key in samples:
            samples[key].clear()
        for _ in range(rounds):
            # The refreshing phase keeps its tail: the debounced rebuild and the snapshot write
            # of the last fetches land after the fetches stop (counted as "refreshing", never
            # as "no refresh").
            for name, action, seconds in (
                ("no refresh", "fail", phase_s),
                ("refreshing", "ok", phase_s),
                ("refreshing", "fail", TAIL_S),
            ):
                await control(fake_port, action)
                before = await metric_sum(port, 'ctxproxy_catalog_refreshes_total{result="ok"')
                phase[0] = name
                await asyncio.sleep(seconds)
                if name == "refreshing":
                    ok_refreshes += (
                        await metric_sum(port, 'ctxproxy_catalog_refreshes_total{result="ok"') - before
                    )
        stop_at[0] = 0.0
        await asyncio.gather(*workers)
    return samples, ok_refreshes / (rounds * (phase_s + TAIL_S))


Loaded = dict[str, tuple[dict[str, list[float]], float]]


# (label, refresh_interval_s, phase seconds, rounds full / quick)
SCENARIOS = [
    ("one refresh of every source per 5-s phase", 5.0, 5.0, (6, 3)),
    ("stress: every source every ~1 s", 1.0, 3.0, (6, 3)),
]


def p99_under_refresh(tmp: Path, snapshot: Path, quick: bool, modes: list[str], real: bool) -> Loaded:
    """Worst case content-wise: the fake sends no ETag, so every fetch is a full body."""
    mock_port, fake_port = free_port(), free_port()
    mock = spawn([str(Path(__file__).with_name("_mock_upstream.py")), str(mock_port)], tmp / "mock.log")
    fake = spawn(
        [
            "-m",
            "tests.fakes.catalog_server",
            str(fake_port),
            *(["real"] if real else map(str, MODELS_DEV_SIZE)),
        ],
        tmp / "fake.log",
    )
    out: Loaded = {}
    try:
        wait_http_ok(f"http://127.0.0.1:{mock_port}/health", mock)
        runs = [(f"{label} [{mode} content]", mode, *rest) for mode in modes for label, *rest in SCENARIOS]
        for i, (label, mode, interval, phase_s, rounds) in enumerate(runs):
            port = free_port()
            cache = tmp / f"cache-load-{i}"
            shutil.copytree(snapshot, cache)
            config = fake_config(
                f"http://127.0.0.1:{fake_port}",
                str(cache),
                refresh_on_start=True,
                refresh_interval_s=interval,
            )
            config["upstreams"]["openai"] = {
                "base_url": f"http://127.0.0.1:{mock_port}/v1",
                "api_key_env": None,
            }
            config["default_upstream"] = "openai"
            config["server"] = {"host": "127.0.0.1", "port": port}
            config["logging"] = {"level": "error"}
            path = tmp / f"proxy-{i}.yaml"
            path.write_bytes(orjson.dumps(config))
            proxy = spawn(["-m", "proxy", "serve", "--config", str(path)], tmp / f"proxy-{i}.log", all_keys())
            try:
                wait_http_ok(f"http://127.0.0.1:{port}/readyz", proxy)
                url = f"http://127.0.0.1:{port}/openai/chat/completions"
                n = rounds[1] if quick else rounds[0]
                out[label] = asyncio.run(
                    interleaved_load(
                        url, port, fake_port, n, phase_s, 32, etags=False, changing=mode == "changed"
                    )
                )
            finally:
                stop(proxy)
    finally:
        stop(fake)
        stop(mock)
    return out
