#!/usr/bin/env python3
"""Build the ctxproxy image with podman or buildah (what `make image` runs).

    python3 deploy/image/build.py [--image localhost/ctxproxy:0.1.0] [--base REF]

Base: ``--base``/``$BASE`` if given; else the Dockerfile's default (the official python
image) when a registry answers; else ``localhost/ctxproxy-base:bookworm``, made from Debian's
packages by ``deploy/image/make-base.sh`` (debootstrap, then import) unless it already exists.

pip inside the build uses this machine's pip settings (``pip config list`` and ``PIP_*``
environment): index-url, extra-index-url, find-links, trusted-host and cert are passed as
build arguments, and every local path among them (``file://`` indexes with the folder their
files live in, wheel folders, the CA bundle that verifies an intercepting TLS proxy) is
mounted read-only at the same path for the build only. Nothing of it stays in the image.

Standard library only: it runs with the system python3, before any virtualenv exists.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_IMAGE = "localhost/ctxproxy:0.1.0"
DEFAULT_BASE = "docker.io/library/python:3.11-slim"
LOCAL_BASE = "localhost/ctxproxy-base:bookworm"
PIP_KEYS = ("index-url", "extra-index-url", "find-links", "trusted-host", "cert")


def log(msg: str) -> None:
    print(f"build.py: {msg}", file=sys.stderr, flush=True)


def engine(requested: str | None = None) -> str:
    for name in [requested] if requested else ["podman", "buildah"]:
        if name in ("podman", "buildah") and shutil.which(name):
            return name
    sys.exit(
        f"build.py: {requested or 'neither podman nor buildah'} is not installed (apt-get install podman)"
    )


def image_exists(tool: str, ref: str) -> bool:
    cmd = [tool, "image", "exists", ref] if tool == "podman" else [tool, "inspect", "--type", "image", ref]
    return subprocess.run(cmd, capture_output=True).returncode == 0


def try_pull(tool: str, ref: str, timeout_s: float) -> bool:
    log(f"pulling {ref} (gives up after {timeout_s:.0f} s)")
    try:
        r = subprocess.run([tool, "pull", "--quiet", ref], capture_output=True, text=True, timeout=timeout_s)
    except subprocess.TimeoutExpired:
        log(f"no registry answered for {ref} within {timeout_s:.0f} s")
        return False
    if r.returncode != 0:
        log(f"cannot pull {ref}: {r.stderr.strip().splitlines()[-1] if r.stderr.strip() else r.returncode}")
    return r.returncode == 0


def choose_base(tool: str, requested: str | None, pull_timeout_s: float) -> str:
    if requested:
        if image_exists(tool, requested) or try_pull(tool, requested, pull_timeout_s):
            return requested
        sys.exit(f"build.py: base image {requested} is neither local nor pullable")
    if image_exists(tool, DEFAULT_BASE) or try_pull(tool, DEFAULT_BASE, pull_timeout_s):
        return DEFAULT_BASE
    if not image_exists(tool, LOCAL_BASE):
        log(f"making {LOCAL_BASE} from Debian's packages (debootstrap)")
        started = time.monotonic()
        env = {**os.environ, "ENGINE": tool}
        subprocess.run([str(ROOT / "deploy/image/make-base.sh"), LOCAL_BASE], check=True, env=env)
        log(f"base made in {time.monotonic() - started:.0f} s")
    return LOCAL_BASE


def _ulimits() -> list[str]:
    """Container limits at or below this process's own hard limits.

    podman raises RLIMIT_NOFILE/NPROC in the container by default; without CAP_SYS_RESOURCE
    (sandboxes, some CI runners) that fails with `setrlimit RLIMIT_NOFILE: Operation not
    permitted`. These stay within what this process may set.
    """
    nofile = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    nofile = 65536 if nofile == resource.RLIM_INFINITY else min(nofile, 65536)
    return ["--ulimit", f"nofile={nofile}:{nofile}", "--ulimit", "nproc=4096:4096"]


def runtime_flags(tool: str, image: str) -> tuple[list[str], list[str]]:
    """(global flags, run/build flags) with which this machine can run a container of image.

    Tries the defaults first, then lowered ulimits, then runc (crun refuses hybrid cgroup
    v1/v2 hosts: `cgroups in hybrid mode not supported`). Each failure is logged verbatim.
    Only podman is probed; buildah builds with --isolation chroot, which needs no runtime.
    """
    if tool != "podman":
        return [], []
    candidates: list[tuple[list[str], list[str]]] = [([], []), ([], _ulimits())]
    if shutil.which("runc"):
        candidates.append((["--runtime", "runc"], _ulimits()))
    for global_flags, flags in candidates:
        cmd = [tool, *global_flags, "run", "--rm", "--network", "none", *flags, "--entrypoint", "true", image]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if r.returncode == 0:
            return global_flags, flags
        log(
            f"cannot run a container with {' '.join([*global_flags, *flags]) or 'the defaults'}: "
            f"{r.stderr.strip()}"
        )
    sys.exit("build.py: this machine cannot run a container with any of the flags above")


def pip_settings(environ: dict[str, str]) -> dict[str, str]:
    """This machine's effective pip settings for PIP_KEYS: config files, then PIP_* env."""
    found: dict[str, str] = {}
    r = subprocess.run(
        [sys.executable, "-m", "pip", "config", "list"], capture_output=True, text=True, check=False
    )
    # lines look like  global.index-url='https://…'  or  :env:.find-links='/opt/wheels'
    for line in r.stdout.splitlines():
        name, _, value = line.partition("=")
        key = name.rsplit(".", 1)[-1]
        if key in PIP_KEYS and not name.startswith(":env:"):
            found[key] = value.strip().strip("'\"")
    for key in PIP_KEYS:
        env_value = environ.get("PIP_" + key.upper().replace("-", "_"))
        if env_value:
            found[key] = env_value
    return found


def local_paths(settings: dict[str, str]) -> list[str]:
    """Existing local folders/files named by the settings (file:// URLs or plain paths).

    A local index (``file:///opt/pypi/simple``) is mounted with its parent: a PEP 503 page's
    links are relative and often lead out of ``simple/`` (``../../files/x.whl``).
    """
    paths: list[str] = []
    for key in ("index-url", "extra-index-url", "find-links", "cert"):
        for item in settings.get(key, "").split():
            parsed = urlparse(item)
            path = parsed.path if parsed.scheme == "file" else (item if not parsed.scheme else "")
            if path and key.endswith("index-url"):
                path = str(Path(path).parent)
            if path and Path(path).exists() and path not in paths:
                paths.append(path)
    return paths


def build_command(
    tool: str,
    image: str,
    base: str,
    settings: dict[str, str],
    network: str,
    runtime: tuple[list[str], list[str]] = ([], []),
) -> list[str]:
    global_flags, flags = runtime
    if tool == "podman":
        cmd = [tool, *global_flags, "build", *flags]
    else:
        cmd = [tool, "bud", "--isolation", "chroot"]
    # docker format: OCI image config has no HEALTHCHECK, and podman would drop it
    cmd += ["--format", "docker", "--network", network, "--build-arg", f"BASE={base}"]
    cmd += ["-f", "deploy/Dockerfile", "-t", image]
    for key, value in settings.items():
        cmd += ["--build-arg", f"PIP_{key.upper().replace('-', '_')}={value}"]
    for path in local_paths(settings):
        cmd += ["--volume", f"{path}:{path}:ro"]
    return [*cmd, "."]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--image", default=os.environ.get("IMAGE", DEFAULT_IMAGE), help="tag to build")
    p.add_argument("--base", default=os.environ.get("BASE") or None, help="base image (build ARG BASE)")
    p.add_argument(
        "--pull-timeout", type=float, default=20.0, help="seconds to wait for a registry (default 20)"
    )
    p.add_argument(
        "--network", default=os.environ.get("BUILD_NETWORK", "host"), help="network of RUN steps (host)"
    )
    p.add_argument(
        "--engine",
        choices=["podman", "buildah"],
        default=os.environ.get("ENGINE") or None,
        help="build tool (default: podman if installed, else buildah)",
    )
    args = p.parse_args(argv)
    tool = engine(args.engine)
    started = time.monotonic()
    base = choose_base(tool, args.base, args.pull_timeout)
    settings = pip_settings(dict(os.environ))
    runtime = runtime_flags(tool, base)
    cmd = build_command(tool, args.image, base, settings, args.network, runtime)
    log("$ " + " ".join(cmd))
    r = subprocess.run(cmd, cwd=ROOT)
    if r.returncode != 0:
        return r.returncode
    log(f"built {args.image} from {base} in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
