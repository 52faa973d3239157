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

from proxy.compress.limits import Limits
from proxy.config import Settings, SummaryShare, load_settings
from proxy.observability.logging import configure_logging
from proxy.wire import API_NAMES, get_adapter


def register(sub: Any) -> None:
    p = sub.add_parser(
        "compress",
        help="dry-run the compactor on a saved request body",
        description="Dry-run the compactor on a saved request body. Exit status: 0 the result fits "
        "the model's input budget, 1 it does not, 2 bad input.",
    )
    p.add_argument("file", help="a request body, or a captured {method, path, headers, body} file (required)")
    p.add_argument(
        "--model",
        default=None,
        help="model id (default: from a captured Gemini path …/models/M:generateContent, else the body's model)",
    )
    p.add_argument(
        "--api",
        choices=list(API_NAMES),
        default=None,
        help="default: inferred from the captured path or the body's shape",
    )
    p.add_argument(
        "--strategy",
        choices=["conservative", "balanced", "aggressive"],
        default=None,
        help="default: compression.strategy of the config (balanced)",
    )
    p.add_argument("--context-window", type=int, default=None, help="default: the model catalog's limit")
    p.add_argument(
        "--max-output",
        type=int,
        default=None,
        help="the model's max output, reserved (at most an eighth of the window) when the body sets "
        "no output limit (default: the catalog's)",
    )
    p.add_argument("--agent", default=None, help="agent id for per-agent policy overrides (default: none)")
    p.add_argument(
        "--json",
        action="store_true",
        help="write the compressed body to stdout, the report to stderr (default: off)",
    )
    p.add_argument(
        "--config",
        dest="config",
        default=argparse.SUPPRESS,
        help="YAML config file (default: $CTXPROXY_CONFIG, else the embedded configs/default.yaml)",
    )
    p.set_defaults(func=run)


def model_from(api: str, body: dict[str, Any], captured_path: str | None) -> str | None:
    """The model a saved request names, where its API puts it (the body, or the path)."""
    tail = (captured_path or "").split("?", 1)[0]
    return get_adapter(api).model_id(body, tail) or None


def read_request(path: str) -> tuple[dict[str, Any], str | None]:
    """(body, captured request path or None): accepts a plain body or a captured request."""
    data = orjson.loads(Path(path).read_bytes())
    if not isinstance(data, dict):
        raise ValueError("the file must hold a JSON object")
    if isinstance(data.get("body"), dict) and "path" in data:
        return data["body"], str(data["path"])
    return data, None


def upstream_from(settings: Settings, captured_path: str | None) -> str | None:
    """The upstream a captured ``/{upstream}/…`` or ``/agent/{id}/{upstream}/…`` path went to."""
    parts = (captured_path or "").lstrip("/").split("/")
    if len(parts) > 2 and parts[0] == "agent":
        parts = parts[2:]
    return parts[0] if parts and parts[0] in settings.upstreams else None


async def catalog_limits(settings: Settings, model: str, upstream: str | None = None) -> Limits | None:
    """The model's limits from the catalog (disk snapshot and LiteLLM's bundled map: no network);
    None when the catalog does not know the model."""
    from proxy.catalog import Catalog

    catalog = Catalog(settings, quiet=True)  # the caller's message says it
    await catalog.start()
    try:
        info = catalog.lookup(model, upstream)
    finally:
        await catalog.close()
    if info.unknown:
        return None
    return Limits(info.context_window, info.max_input_tokens, info.max_output_tokens)


async def _run(args: argparse.Namespace) -> int:
    from proxy.compress import Compactor, Limits, violations
    from proxy.compress.encodings import encoding_name_for
    from proxy.wire import api_for_body, api_for_path, api_mismatch

    settings = load_settings(getattr(args, "config", None))
    configure_logging("warning", "console")  # to stderr: stdout is the report (or the --json body)
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
    if api not in API_NAMES:
        print("ctxproxy compress: cannot tell the API from the file; pass --api", file=sys.stderr)
        return 2
    wrong = api_mismatch(api, body) if args.api else None
    if wrong:
        print(f"ctxproxy compress: not a valid {api} request: {wrong}", file=sys.stderr)
        return 2
    model = args.model or model_from(api, body, captured_path)
    if not model:
        print("ctxproxy compress: the file names no model; pass --model", file=sys.stderr)
        return 2
    window, max_input, max_output = args.context_window, None, args.max_output
    if window is None:
        known = await catalog_limits(settings, model, upstream_from(settings, captured_path))
        if known is not None:
            window, max_input = known.context_window, known.max_input_tokens
            max_output = max_output or known.max_output_tokens
    if not window:
        print(
            f"ctxproxy compress: no context window known for {model}; pass --context-window",
            file=sys.stderr,
        )
        return 2
    compactor = Compactor(compression)
    await compactor.warm([encoding_name_for(model)])  # the model's encoding only
    already = sorted(violations(api, body))
    t0 = time.perf_counter()
    result = await compactor.compress(body, api, model, Limits(window, max_input, max_output), args.agent)
    elapsed = (time.perf_counter() - t0) * 1e3
    sent = result.body if result.body is not None else body
    out = sys.stderr if args.json else sys.stdout
    pct = 100.0 / max(result.budget, 1)
    print(f"api {api} · model {model} · window {window} · input budget {result.budget}", file=out)
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
    fits = result.tokens_after <= result.budget  # what the provider will accept
    print(
        f"valid: {'yes' if not bad else 'no (' + ', '.join(bad) + ')'} · fits: {'yes' if fits else 'no'}"
        f"{' (above the target)' if fits and not result.fits else ''} · time {elapsed:.1f} ms",
        file=out,
    )
    if already:
        print(f"already in the input: {', '.join(already)}", file=out)
    made = [v for v in bad if v not in already]
    if made:
        print(f"made by the compactor: {', '.join(made)}", file=out)
    if not fits:
        print(f"does not fit: {result.tokens_after} tokens > input budget {result.budget}", file=out)
    if args.json:
        sys.stdout.write(orjson.dumps(sent).decode() + "\n")
    return 0 if fits else 1


def run(args: argparse.Namespace) -> int:
    return asyncio.run(_run(args))
