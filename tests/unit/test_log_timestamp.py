"""Log lines keep structlog's ISO UTC timestamp format (now formatted once per second)."""

from __future__ import annotations

import datetime
import io
import random
import subprocess
import sys
from pathlib import Path

import orjson
import structlog

from proxy.observability.logging import UtcIsoStamper, configure_logging


def _reference(now_ns: int) -> str:
    """What ``structlog.processors.TimeStamper(fmt="iso", utc=True)`` writes for that instant."""
    second, micro = divmod(now_ns // 1000, 1_000_000)
    when = datetime.datetime.fromtimestamp(second, datetime.UTC).replace(microsecond=micro)
    return when.isoformat().replace("+00:00", "Z")


def test_same_text_as_structlogs_iso_utc_stamper() -> None:
    stamper = UtcIsoStamper()
    base = 1_796_040_000 * 10**9  # 2026-11-30
    rng = random.Random(7)
    instants = [base, base + 1000, base + 999_999_000, base + 10**9, base + 10**9 + 250_000_000]
    instants += sorted(base + rng.randrange(5 * 10**9) for _ in range(200))  # mostly in cached seconds
    instants += [base - 86_400 * 10**9 + 123_456_789]  # back to an earlier day
    for now_ns in instants:
        assert stamper.text(now_ns) == _reference(now_ns)


def test_rendered_lines_carry_the_current_time() -> None:
    buf = io.BytesIO()
    configure_logging("info", "json", stream=buf)
    try:
        before = datetime.datetime.now(datetime.UTC)
        structlog.get_logger("t").info("x")
        after = datetime.datetime.now(datetime.UTC)
    finally:
        configure_logging("info", "json")
    stamp = orjson.loads(buf.getvalue().splitlines()[-1])["timestamp"]
    assert stamp.endswith("Z")
    when = datetime.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    assert before - datetime.timedelta(seconds=1) <= when <= after


def test_final_configuration_caches_loggers_and_still_renders(tmp_path: Path) -> None:
    """``ctxproxy serve`` configures once (``final``): loggers are cached on first use and
    still filter by level, merge the bound context and render JSON lines."""
    out = tmp_path / "log.jsonl"
    script = f"""
import structlog
from proxy.observability.logging import configure_logging
configure_logging("info", "json", stream=open({str(out)!r}, "wb"), final=True)
log = structlog.get_logger("t")
structlog.contextvars.bind_contextvars(request_id="r1")
for i in range(3):
    log.info("line", i=i)
    log.debug("hidden")
"""
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
    lines = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    assert [(ln["event"], ln["i"], ln["request_id"], ln["level"]) for ln in lines] == [
        ("line", i, "r1", "info") for i in range(3)
    ]
    assert all(ln["timestamp"].endswith("Z") for ln in lines)
