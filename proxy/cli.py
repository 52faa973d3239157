"""The ``ctxproxy`` command line: serve | models … | compress | config check/show."""

from __future__ import annotations

import argparse
import errno
import ipaddress
import os
import re
import socket
import sys
from collections.abc import Sequence
from typing import Any

import orjson

from proxy import __version__
from proxy.config import ConfigError, Settings, load_settings, redacted


def _settings(args: argparse.Namespace, **flag_overrides: Any) -> Settings:
    overrides: dict[str, Any] = {}
    server = {k: v for k, v in flag_overrides.items() if v is not None}
    if server:
        overrides["server"] = server
    return load_settings(getattr(args, "config", None), overrides=overrides)


def _cmd_serve(args: argparse.Namespace) -> int:
    from proxy.server.run import metrics_dir, run_directory, serve

    settings = _settings(args, host=args.host, port=args.port, workers=args.workers)
    host, port = settings.server.host, settings.server.port
    problem = bind_problem(host, port)
    if problem is None:
        try:
            with run_directory(settings.server.workers) as run_dir:
                if run_dir is not None:  # the spawned workers read it when they import prometheus_client
                    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir(run_dir))
                serve(settings, run_dir)
        except OSError as exc:  # lost a race for the port, or the host is not ours
            problem = _bind_message(exc, host, port)
    if problem is not None:
        print(f"ctxproxy: {problem}", file=sys.stderr)
        return 2
    return 0


def _bind_message(exc: OSError, host: str, port: int) -> str:
    if exc.errno == errno.EADDRINUSE:
        return f"port {port} is in use (on {host}); stop the other server or pass --port"
    if exc.errno == errno.EACCES:
        return f"no permission to listen on port {port} (ports below 1024 need privileges)"
    if exc.errno == errno.EADDRNOTAVAIL:
        return f"cannot listen on {host}:{port}: {host} is not an address of this machine"
    return f"cannot listen on {host}:{port}: {exc.strerror or exc}"


def bind_problem(host: str, port: int) -> str | None:
    """Why ``serve`` could not listen on host:port (one line), or None. Binds and closes a socket
    the way aiohttp will (SO_REUSEADDR), so a port held by a live server is reported here."""
    try:
        infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        return f"cannot listen on {host}:{port}: {exc.strerror}"
    for family, kind, proto, _name, addr in infos:
        with socket.socket(family, kind, proto) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(addr)
            except OSError as exc:
                return _bind_message(exc, host, port)
    return None


def _cmd_config(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if args.action == "show":
        sys.stdout.write(orjson.dumps(redacted(settings), option=orjson.OPT_INDENT_2).decode() + "\n")
    else:
        print(f"config OK: {len(settings.upstreams)} upstreams, default {settings.default_upstream}")
        if not settings.server.proxy_keys and not _loopback_only(settings.server.host):
            print(
                f"note: server.host {settings.server.host!r} is not a loopback address and "
                "server.proxy_keys is empty: the proxy will not inject the upstreams' keys, "
                "clients must send their own (see docs/deployment.md, keys and the bind address)",
                file=sys.stderr,
            )
        for name in settings.compression.agents:
            if not _AGENT_KEY.match(name):
                print(
                    f"note: compression.agents.{name}: no request gets this agent id (ids are 1-64 of "
                    "A-Z a-z 0-9 _ . : @ -, anything else becomes agent-<hash>): it never applies",
                    file=sys.stderr,
                )
    return 0


# An agent id as ``proxy.server.identity.clean_agent_id`` keeps it, or a glob over such ids.
_AGENT_KEY = re.compile(r"^[A-Za-z0-9_.:@*?!\[\]-]{1,64}$")


def _loopback_only(host: str) -> bool:
    """Whether every address ``host`` binds is loopback, as ``serve`` decides from the bound
    sockets (``""`` is every interface). A name that does not resolve: not our call here."""
    if not host:
        return False
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror:
        return True
    return all(ipaddress.ip_address(str(info[4][0]).split("%")[0]).is_loopback for info in infos)


CONFIG_HELP = "YAML config file (default: $CTXPROXY_CONFIG, else the embedded configs/default.yaml)"


def add_config_flag(parser: argparse.ArgumentParser) -> None:
    """``--config`` on a subcommand as well as before it."""
    parser.add_argument("--config", dest="config", default=argparse.SUPPRESS, help=CONFIG_HELP)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ctxproxy", description="Context-compressing LLM proxy")
    parser.add_argument("--version", action="version", version=f"ctxproxy {__version__}")
    parser.add_argument("--config", help=CONFIG_HELP)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="run the proxy")
    add_config_flag(serve)
    serve.add_argument("--host", help="address to listen on (default: server.host, 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default: server.port, 8787)")
    serve.add_argument("--workers", type=int, help="processes sharing the port (default: server.workers, 1)")
    serve.set_defaults(func=_cmd_serve)

    cfg = sub.add_parser("config", help="check or show the effective configuration")
    cfg.add_argument(
        "action",
        choices=["check", "show"],
        help="check: validate and summarize; show: print it as JSON, secrets redacted (required)",
    )
    add_config_flag(cfg)
    cfg.set_defaults(func=_cmd_config)

    _register_optional(sub)
    from proxy.completion import register as register_completion

    register_completion(sub, parser)
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
        code = int(args.func(args) or 0)
        sys.stdout.flush()
        return code
    except ConfigError as exc:
        print(f"ctxproxy: config error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # ``ctxproxy models list | head``: the reader left. Point stdout at /dev/null so the
        # interpreter's final flush does not raise again, and exit like a SIGPIPE'd tool.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return 141
