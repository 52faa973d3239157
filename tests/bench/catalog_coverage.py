"""Coverage of the catalog on the real documents (tests/data/catalog-real): for every
configured upstream of the default config (local servers aside), the chat models its list
offers, how many have a known context window, and which source gave it. Two situations: a
first start without provider keys (each upstream's list stands in from a third-party source)
and with every native list (the hand-made fixtures of tests/data/catalog-fixtures, OpenAI's
and Groq's derived from models.dev). Also the Anthropic spellings with/without the 1M beta.

Run: ``.venv/bin/python tests/bench/catalog_coverage.py`` (prints markdown for docs/catalog.md;
tests/integration/test_catalog_real.py asserts the same ≥ 95 % target).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from typing import Any

from proxy.catalog.ids import OPENROUTER_VENDORS
from proxy.catalog.switches import RequestTraits
from proxy.observability.logging import configure_logging
from tests.catalog_real import LOCAL, coverage, every_key, openrouter, real_catalog

SPELLINGS = (
    "claude-sonnet-4.5",
    "anthropic/claude-sonnet-4.5",
    "anthropic/claude-sonnet-4.5:free",
    "claude-sonnet-4-5",
)
BETA = RequestTraits(anthropic_beta=frozenset({"context-1m-2025-08-07"}))


def vendor_rows(cat: Any) -> list[str]:
    """OpenRouter's ``vendor/model`` rows, each looked up under the vendor's own upstream: how
    many get a window from the vendor's own sources (models.dev, LiteLLM) rather than from
    OpenRouter's claim (its endpoint's figure), and how many are unknown."""
    counts: dict[str, dict[str, int]] = {}
    for row in openrouter()["data"]:
        vendor, _, name = row["id"].partition("/")
        upstream = OPENROUTER_VENDORS.get(vendor)
        if upstream is None or row.get("architecture", {}).get("output_modalities", ["text"]) != ["text"]:
            continue
        info = cat.lookup(name, upstream)
        c = counts.setdefault(upstream, {"rows": 0, "own": 0, "openrouter": 0, "unknown": 0})
        c["rows"] += 1
        if info.unknown:
            c["unknown"] += 1
        elif info.source == "openrouter":
            c["openrouter"] += 1
        else:
            c["own"] += 1
    lines = [
        "| OpenRouter vendor rows, looked up under | rows | window from the vendor's sources | only OpenRouter's claim | unknown |",
        "|---|---|---|---|---|",
    ]
    for upstream, c in sorted(counts.items()):
        lines.append(
            f"| {upstream} | {c['rows']} | {c['own']} ({c['own'] / c['rows']:.0%}) | {c['openrouter']} | {c['unknown']} |"
        )
    return lines


async def table(keys: bool) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        setup = await real_catalog(tmp, keys=every_key() if keys else {})
        try:
            upstreams = [u for u in setup.providers if u not in LOCAL]
            lines = [
                "| upstream | list from | chat models | known window | share | window sources |",
                "|---|---|---|---|---|---|",
            ]
            for row in coverage(setup.catalog, upstreams):
                sources = ", ".join(f"{k} {v}" for k, v in sorted(row.sources.items(), key=lambda kv: -kv[1]))
                lines.append(
                    f"| {row.upstream} | {row.listed_by} | {row.chat} | {row.known} | {row.share:.1%} | {sources} |"
                )
            if not keys:
                cat = setup.catalog
                lines += ["", *vendor_rows(cat)]
                lines.append("")
                lines.append(
                    "| Anthropic spelling (upstream anthropic) | window | with `anthropic-beta: context-1m-2025-08-07` |"
                )
                lines.append("|---|---|---|")
                for s in SPELLINGS:
                    plain, beta = cat.lookup(s, "anthropic"), cat.lookup(s, "anthropic", BETA)
                    lines.append(
                        f"| `{s}` | {plain.context_window:,} ({plain.source}) | {beta.context_window:,} |"
                    )
            return lines
        finally:
            await setup.close()


def main() -> int:
    configure_logging("error", "console")
    print(f"Measured {dt.date.today()} with `.venv/bin/python tests/bench/catalog_coverage.py`.\n")
    print("**First start, no provider keys** (lists stand in from third-party sources):\n")
    print("\n".join(asyncio.run(table(False))))
    print(
        "\n**Every native list fetched** (hand-made fixtures; OpenAI and Groq lists derived from models.dev):\n"
    )
    print("\n".join(asyncio.run(table(True))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
