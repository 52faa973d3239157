"""Log lines keep structlog's ISO UTC timestamp format (now formatted once per second)."""

from __future__ import annotations

import datetime
import io
import random

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
