"""``ctxproxy compress FILE --model M``: a dry run of the compactor on a saved request body."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import sys
import time
from pathlib import Path
from typing import Any

import orjson

from proxy.config import Settings, SummaryShare, load_settings


def register(sub: Any) -> None:
    p = sub.add_parser("compress", help="dry-run the compactor on a saved request body")
    p.add_argument("file", help="a request body, or a captured {method, path, headers, body} file")
    p.add_argument("--model", required=True)
    p.add_argument(
        "--api",
        choices=["openai-chat", "openai-responses", "anthropic", "gemini"],
        default=None,
        help="default: inferred from the captured path or the body's shape",
    )
    p.add_argument("--strategy", choices=["conservative", "balanced", "aggressive"], default=None)
    p.add_argument("--context-window", type=int, default=None, help="default: the model catalog's limit")
    p.add_argument(
        "--max-output", type=int, default=None, help="output tokens to reserve when the body sets none"
    )
    p.add_argument("--agent", default=None, help="agent id (per-agent policy overrides)")
    p.add_argument("--json", action="store_true", help="write the compressed body to stdout")
    p.add_argument("--config", dest="config", default=argparse.SUPPRESS)
    p.set_defaults(func=run)


def read_request(path: str) -> tuple[dict[str, Any], str | None]:
    """(body, captured request path or None): accepts a plain body or a captured request."""
    data = orjson.loads(Path(path).read_bytes())
    if not isinstance(data, dict):
        raise ValueError("the file must hold a JSON object")
    if isinstance(data.get("body"), dict) and "path" in data:
        return data["body"], str(data["path"])
    return data, None


async def catalog_limits(settings: Settings, model: str) -> tuple[int | None, int | None, int | None]:
    """(context window, max input, max output) from ``proxy.catalog`` when it knows the model."""
    try:
        from proxy.catalog import Catalog
    except ImportError:
        return None, None, None
    catalog = Catalog(settings)
    await catalog.start()  # disk snapshot + LiteLLM's bundled map: no network
    try:
        info = catalog.lookup(model)
    finally:
        await catalog.close()
    if info is None or getattr(info, "unknown", False):
        return None, None, None
    return (
        info.context_window,
        getattr(info, "max_input_tokens", None),
        getattr(info, "max_output_tokens", None),
    )


async def _run(args: argparse.Namespace) -> int:
    from proxy.compress import Compactor, violations
    from proxy.wire import api_for_body, api_for_path

    settings = load_settings(getattr(args, "config", None))
    compression = settings.compression
    if args.strategy:
        compression = dataclasses.replace(
            compression,
            strategy=args.strategy,
            trigger=None,
            target=None,
            keep_recent_groups=None,
            keep_tool_results=None,
            summary_share=SummaryShare(),
        )
    try:
        body, captured_path = read_request(args.file)
    except (OSError, ValueError) as exc:
        print(f"ctxproxy compress: cannot read {args.file}: {exc}", file=sys.stderr)
        return 2
    api = args.api or (api_for_path(captured_path) if captured_path else None) or api_for_body(body)
    if api not in ("openai-chat", "openai-responses", "anthropic", "gemini"):
        print("ctxproxy compress: cannot tell the API from the file; pass --api", file=sys.stderr)
        return 2
    window, max_input, max_output = args.context_window, None, args.max_output
    if window is None:
        window, max_input, catalog_output = await catalog_limits(settings, args.model)
        max_output = max_output or catalog_output
    if not window:
        print(
            f"ctxproxy compress: no context window known for {args.model}; pass --context-window",
            file=sys.stderr,
        )
        return 2
    compactor = Compactor(compression)
    await compactor.counter.warm()
    t0 = time.perf_counter()
    result = await compactor.compress(body, api, args.model, window, max_input, max_output, args.agent)
    elapsed = (time.perf_counter() - t0) * 1e3
    sent = result.body if result.body is not None else body
    out = sys.stderr if args.json else sys.stdout
    pct = 100.0 / max(result.budget, 1)
    print(f"api {api} · model {args.model} · window {window} · input budget {result.budget}", file=out)
    print(
        f"strategy {result.strategy}: trigger {result.trigger_tokens} → target {result.target_tokens} tokens",
        file=out,
    )
    print(f"tokens before {result.tokens_before} ({result.tokens_before * pct:.0f}% of budget)", file=out)
    print(f"tokens after  {result.tokens_after} ({result.tokens_after * pct:.0f}% of budget)", file=out)
    for name, saved in result.stages:
        print(f"  {name:<10} saved {saved} tokens", file=out)
    if not result.compressed:
        print(f"unchanged: {result.note or 'under the trigger'}", file=out)
    bad = sorted(violations(api, sent))
    print(
        f"valid: {'yes' if not bad else 'no (' + ', '.join(bad) + ')'} · fits: {'yes' if result.fits else 'no'}"
        f" · time {elapsed:.1f} ms",
        file=out,
    )
    if args.json:
        sys.stdout.write(orjson.dumps(sent).decode() + "\n")
    return 0


def run(args: argparse.Namespace) -> int:
    return asyncio.run(_run(args))
