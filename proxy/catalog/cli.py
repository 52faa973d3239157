"""``ctxproxy models list|show|refresh|changes|sources``."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import orjson

from proxy.catalog.catalog import Catalog
from proxy.catalog.cli_progress import RefreshProgress
from proxy.catalog.model import ModelInfo
from proxy.catalog.report import evaluate
from proxy.config import load_settings
from proxy.observability.logging import configure_logging

CONFIG_HELP = "YAML config file (default: $CTXPROXY_CONFIG, else the embedded configs/default.yaml)"
JSON_HELP = "print JSON instead of a table (default: off)"


def register(sub: Any) -> None:
    models = sub.add_parser("models", help="the live model catalog")
    msub = models.add_subparsers(dest="models_command", required=True)

    def command(
        name: str, help_text: str, func: Callable[[argparse.Namespace], int]
    ) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = msub.add_parser(name, help=help_text)
        parser.add_argument("--config", dest="config", default=argparse.SUPPRESS, help=CONFIG_HELP)
        parser.set_defaults(func=func)
        return parser

    p = command(
        "list", "models each upstream offers (its native list, or a stand-in until it is fetched)", _list
    )
    p.add_argument("--provider", help="an upstream or provider name (default: all)")
    p.add_argument("--json", action="store_true", help=JSON_HELP)
    p = command("show", "one model, with the source of every value (exit 1: unknown model)", _show)
    p.add_argument("model", help="a model id as a client sends it (required)")
    p.add_argument("--upstream", help="resolve as sent to this upstream (default: any)")
    p.add_argument("--json", action="store_true", help=JSON_HELP)
    p = command("refresh", "fetch the sources now and record what changed", _refresh)
    p.add_argument(
        "--provider",
        help="an upstream, provider or source name (litellm, models_dev, openrouter) (default: all)",
    )
    p.add_argument("--json", action="store_true", help=JSON_HELP)
    p = command("changes", "what refreshes changed (the changelog)", _changes)
    p.add_argument("--since", help="ISO 8601 time, e.g. 2026-11-01 or 2026-11-01T12:00:00Z (default: all)")
    p.add_argument("--json", action="store_true", help=JSON_HELP)
    p = command("sources", "source health and an evaluation of the third-party sources", _sources)
    p.add_argument("--json", action="store_true", help=JSON_HELP)


def _run(args: argparse.Namespace, body: Callable[[Catalog], Awaitable[int]]) -> int:
    settings = load_settings(getattr(args, "config", None))
    configure_logging("warning", "console")

    async def main() -> int:
        catalog = Catalog(settings, quiet=True)  # the commands say it in their own words
        try:
            await catalog.start()
            return await body(catalog)
        finally:
            await catalog.close()

    return asyncio.run(main())


def _print_json(data: Any) -> None:
    sys.stdout.write(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode() + "\n")


def _fmt(value: Any) -> str:
    return "-" if value is None else str(value)


def _table(rows: list[list[str]]) -> None:
    if not rows:
        return
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


def _list(args: argparse.Namespace) -> int:
    async def body(catalog: Catalog) -> int:
        if args.provider and (problem := _unknown_provider(catalog, args.provider)):
            print(f"ctxproxy: {problem}", file=sys.stderr)
            return 2
        models = catalog.offered(args.provider)
        if args.json:
            _print_json([m.to_dict() for m in models])
            return 0
        if not models:
            print("no listed models yet: run `ctxproxy models refresh` (needs the upstreams' keys)")
            return 0
        rows = [["UPSTREAM", "MODEL", "TYPE", "CONTEXT", "MAX_OUT", "SOURCE", "LISTED_BY"]]
        rows += [
            [
                _fmt(m.upstream),
                m.id,
                m.type,
                _window(m),
                _fmt(m.max_output_tokens),
                m.source,
                _fmt(m.listed_by),
            ]
            for m in models
        ]
        _table(rows)
        return 0

    return _run(args, body)


def _unknown_provider(catalog: Catalog, name: str) -> str | None:
    """Why ``--provider name`` can list nothing, when it names no upstream or provider."""
    upstreams = catalog.settings.upstreams
    known = set(upstreams) | set(catalog.providers.values())
    if name in known:
        return None
    return f"no upstream or provider named {name!r}; configured upstreams: {', '.join(upstreams)}"


def _window(info: ModelInfo) -> str:
    return f"{info.context_window}?" if info.unknown else str(info.context_window)


def _show(args: argparse.Namespace) -> int:
    async def body(catalog: Catalog) -> int:
        upstreams = catalog.settings.upstreams
        if args.upstream and args.upstream not in upstreams:
            print(
                f"ctxproxy: no upstream named {args.upstream!r}; configured upstreams: {', '.join(upstreams)}",
                file=sys.stderr,
            )
            return 2
        info = catalog.lookup(args.model, args.upstream)
        missing = info.unknown and not info.listed
        if args.json:
            _print_json(info.to_dict())
            return 1 if missing else 0
        if missing:
            print(
                f"ctxproxy: unknown model {args.model!r}: no source lists it; requests for it get the "
                f"conservative default ({info.context_window} tokens). Add catalog.overrides for it.",
                file=sys.stderr,
            )
            return 1
        data = info.to_dict()
        for key in ("id", "provider", "upstream", "type", "listed", "unknown", "aliases", "created"):
            print(f"{key:18} {_fmt(data[key])}")
        for fname in ("context_window", "max_input_tokens", "max_output_tokens"):
            prov = info.provenance.get(fname)
            where = f"  ({prov.source}{', ' + prov.at if prov and prov.at else ''})" if prov else ""
            print(f"{fname:18} {_fmt(data[fname])}{where}")
        price = info.pricing
        print(
            f"{'pricing (USD/tok)':18} in {_fmt(price.input)}  out {_fmt(price.output)}  cached {_fmt(price.cached_input)}"
        )
        caps = info.capabilities
        print(
            f"{'capabilities':18} tools {_fmt(caps.tools)}  vision {_fmt(caps.vision)}  reasoning {_fmt(caps.reasoning)}"
        )
        return 0

    return _run(args, body)


def _refresh(args: argparse.Namespace) -> int:
    """A line per source as it finishes (a spinner on a terminal); exit 1 only when a source
    that should have worked failed (a keyed provider, a third-party catalog, a public list),
    never for a local server that is not running."""

    async def body(catalog: Catalog) -> int:
        names = [s.name for s in catalog.sources(args.provider)]
        tty = sys.stderr if sys.stderr.isatty() else None
        progress = RefreshProgress(names, sys.stdout, tty, lines=not args.json)
        try:
            async with progress:
                diff = await catalog.refresh(args.provider, progress=progress.done)
        except ValueError as exc:
            print(f"ctxproxy: {exc}", file=sys.stderr)
            return 2
        status = 1 if diff.errors else 0
        if args.json:
            _print_json(
                {
                    **diff.to_dict(),
                    "errors": diff.errors,
                    "not_running": diff.not_running,
                    "outcomes": [o.to_dict() for o in diff.outcomes],
                }
            )
            return status
        print(f"added {len(diff.added)}, removed {len(diff.removed)}, changed {len(diff.changed)}")
        for item in diff.added:
            print(f"  + {item['upstream']}/{item['id']}  context {_fmt(item['context_window'])}")
        for item in diff.removed:
            print(f"  - {item['upstream']}/{item['id']}")
        for item in diff.changed:
            print(f"  ~ {item['upstream']}/{item['id']} {item['field']}: {item['old']} → {item['new']}")
        if diff.errors:
            print(f"failed: {', '.join(sorted(diff.errors))}", file=sys.stderr)
        return status

    return _run(args, body)


def _parse_since(raw: str | None) -> datetime | None:
    if not raw:
        return None
    since = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    return since if since.tzinfo else since.replace(tzinfo=UTC)


def _changes(args: argparse.Namespace) -> int:
    try:
        since = _parse_since(args.since)
    except ValueError:
        print(f"ctxproxy: --since: not an ISO 8601 time: {args.since!r}", file=sys.stderr)
        return 2

    async def body(catalog: Catalog) -> int:
        entries = catalog.changes(since)
        if args.json:
            _print_json(entries)
            return 0
        for entry in entries:
            print(f"{entry['at']}  ({', '.join(entry['sources'])})")
            for item in entry["added"]:
                print(f"  added    {item['upstream']}/{item['id']}  context {_fmt(item['context_window'])}")
            for item in entry["removed"]:
                print(f"  removed  {item['upstream']}/{item['id']}")
            for item in entry["changed"]:
                print(
                    f"  changed  {item['upstream']}/{item['id']} {item['field']}: {item['old']} → {item['new']}"
                )
        if not entries:
            print("no changes recorded")
        return 0

    return _run(args, body)


def _sources(args: argparse.Namespace) -> int:
    async def body(catalog: Catalog) -> int:
        status, report = catalog.source_status(), evaluate(catalog.states())
        if args.json:
            _print_json({"sources": status, "evaluation": report})
            return 0
        rows = [["SOURCE", "MODELS", "AGE_S", "FAILURES", "LAST_ERROR"]]
        for s in status:
            if s.get("shares"):
                note = f"shares the fetch of {s['shares']}"
            elif s.get("skipped"):
                note = f"skipped: {s['skipped']}"
            else:
                note = _fmt(s["last_error"])
            rows.append(
                [s["source"], _fmt(s.get("models")), _fmt(s.get("age_s")), _fmt(s.get("failures")), note]
            )
        _table(rows)
        print(f"\nthird-party sources vs {report['native_chat_models']} native chat models:")
        rows = [["SOURCE", "COVERAGE", "WITH_CONTEXT", "FILLS_GAPS", "DISAGREE", "AGE_S"]]
        for name, r in report["sources"].items():
            rows.append(
                [
                    name,
                    _fmt(r["coverage"]),
                    _fmt(r["with_context_window"]),
                    str(r["fills_gaps"]),
                    str(r["disagreements"]),
                    _fmt(r["age_s"]),
                ]
            )
        _table(rows)
        return 0

    return _run(args, body)
