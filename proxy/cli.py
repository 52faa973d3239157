"""The ``ctxproxy`` command line: serve | models … | compress | config check/show."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any

import orjson

from proxy.config import ConfigError, Settings, load_settings, redacted


def _settings(args: argparse.Namespace, **flag_overrides: Any) -> Settings:
    overrides: dict[str, Any] = {}
    server = {k: v for k, v in flag_overrides.items() if v is not None}
    if server:
        overrides["server"] = server
    return load_settings(getattr(args, "config", None), overrides=overrides)


def _cmd_serve(args: argparse.Namespace) -> int:
    from proxy.server.run import serve

    settings = _settings(args, host=args.host, port=args.port, workers=args.workers)
    serve(settings)
    return 0


def _cmd_config(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if args.action == "show":
        sys.stdout.write(orjson.dumps(redacted(settings), option=orjson.OPT_INDENT_2).decode() + "\n")
    else:
        print(f"config OK: {len(settings.upstreams)} upstreams, default {settings.default_upstream}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ctxproxy", description="Context-compressing LLM proxy")
    parser.add_argument(
        "--config", help="YAML config file (default: $CTXPROXY_CONFIG or the embedded default)"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the proxy")
    serve.add_argument("--config", dest="config", default=argparse.SUPPRESS)
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--workers", type=int)
    serve.set_defaults(func=_cmd_serve)

    cfg = sub.add_parser("config", help="check or show the effective configuration")
    cfg.add_argument("action", choices=["check", "show"])
    cfg.add_argument("--config", dest="config", default=argparse.SUPPRESS)
    cfg.set_defaults(func=_cmd_config)

    _register_optional(sub)
    return parser


def _register_optional(sub: Any) -> None:
    """Commands defined next to what they drive: ``models`` (catalog), ``compress`` (compactor)."""
    from proxy.catalog.cli import register as register_models
    from proxy.compress.cli import register as register_compress

    register_models(sub)
    register_compress(sub)


def main(argv: Sequence[str] | None = None) -> int:
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except ConfigError as exc:
        print(f"ctxproxy: config error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
