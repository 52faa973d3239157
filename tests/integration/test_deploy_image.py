"""deploy/Dockerfile and the build script, checked without building (the build is `make image`).

What the image must be, read from the files themselves: built FROM a base given as a build
argument, uid and gid 10001 (as every manifest says), every path written at run time outside
the read-only root (a volume or /tmp), and the config it ships valid for ctxproxy. The build
script's pip pass-through is run for real against pip's own configuration handling.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from proxy.config import load_settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
UID = GID = 10001


def instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    out: list[tuple[str, str]] = []
    pending = ""
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        full = pending + line
        pending = ""
        word, _, rest = full.partition(" ")
        out.append((word.upper(), rest.strip()))
    assert not pending, "dangling line continuation"
    return out


@pytest.fixture(scope="module")
def dockerfile() -> list[tuple[str, str]]:
    return instructions(DEPLOY / "Dockerfile")


def env_of(ins: list[tuple[str, str]]) -> dict[str, str]:
    env: dict[str, str] = {}
    for word, rest in ins:
        if word == "ENV":
            for item in shlex.split(rest):
                key, _, value = item.partition("=")
                env[key] = value
    return env


def test_base_is_a_build_argument(dockerfile: list[tuple[str, str]]) -> None:
    words = [w for w, _ in dockerfile]
    first_from = words.index("FROM")
    args_before = [rest for w, rest in dockerfile[:first_from] if w == "ARG"]
    assert any(a.startswith("BASE=") for a in args_before), "ARG BASE must come before FROM"
    assert dockerfile[first_from][1] == "${BASE}"
    assert words.count("FROM") == 1


def test_user_is_numeric_uid_and_gid_10001(dockerfile: list[tuple[str, str]]) -> None:
    users = [rest for w, rest in dockerfile if w == "USER"]
    # numeric, so Kubernetes' runAsNonRoot can check it without reading /etc/passwd
    assert users == [f"{UID}:{GID}"]
    run = " ".join(rest for w, rest in dockerfile if w == "RUN")
    assert re.search(rf"groupadd\b[^&;]*--gid {GID}\b", run)
    assert re.search(rf"useradd\b[^&;]*--uid {UID}\b[^&;]*--gid {GID}\b", run)
    assert "--user-group" not in run  # that picked gid 995 from the system range


def test_runtime_writes_only_to_volumes(dockerfile: list[tuple[str, str]]) -> None:
    """A read-only root works: the catalog cache is a VOLUME owned by the user, no .pyc at run time."""
    env = env_of(dockerfile)
    config_path = env["CTXPROXY_CONFIG"]
    copies = [shlex.split(rest) for w, rest in dockerfile if w == "COPY"]
    assert ["deploy/ctxproxy.yaml", config_path] in copies
    settings = load_settings(DEPLOY / "ctxproxy.yaml", environ={})
    volumes = [v for w, rest in dockerfile if w == "VOLUME" for v in yaml.safe_load(rest)]
    assert settings.catalog.cache_dir in volumes
    run = " ".join(rest for w, rest in dockerfile if w == "RUN")
    assert f"chown {UID}:{GID} {settings.catalog.cache_dir}" in run
    assert env["PYTHONDONTWRITEBYTECODE"] == "1"
    assert env["LITELLM_LOCAL_MODEL_COST_MAP"] == "True"  # nothing fetched (or cached) at import


def test_container_config_loads_as_the_image_would(dockerfile: list[tuple[str, str]]) -> None:
    env = env_of(dockerfile)
    cmd = yaml.safe_load(next(rest for w, rest in dockerfile if w == "CMD"))
    assert cmd[:1] == ["serve"] and cmd[cmd.index("--host") + 1] == "0.0.0.0"
    environ = {"CTXPROXY_CONFIG": str(DEPLOY / "ctxproxy.yaml")}
    settings = load_settings(environ=environ)
    assert settings.server.port == 8787 and settings.catalog.cache_dir == "/var/cache/ctxproxy"
    assert env["CTXPROXY_CONFIG"] == "/etc/ctxproxy/ctxproxy.yaml"


def _k8s_docs() -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    for path in sorted((DEPLOY / "k8s").glob("*.yaml")):
        docs += [d for d in yaml.safe_load_all(path.read_text()) if d]
    return docs


def test_k8s_manifests_run_as_the_image_user_read_only() -> None:
    checked = 0
    for doc in _k8s_docs():
        if doc["kind"] != "Deployment":
            continue
        spec = doc["spec"]["template"]["spec"]
        pod_ctx = spec.get("securityContext", {})
        for c in spec.get("initContainers", []) + spec["containers"]:
            if not str(c["image"]).startswith("ctxproxy:"):
                continue
            ctx = {**pod_ctx, **c.get("securityContext", {})}
            assert (ctx["runAsUser"], ctx["runAsGroup"]) == (UID, GID), doc["metadata"]["name"]
            assert ctx["readOnlyRootFilesystem"] is True
            mounts = {m["mountPath"] for m in c["volumeMounts"]}
            assert {"/var/cache/ctxproxy", "/tmp", "/etc/ctxproxy"} <= mounts
            checked += 1
    assert checked == 2  # the sidecar and the standalone manifests


# -- deploy/image/build.py ------------------------------------------------------------------


@pytest.fixture(scope="module")
def build() -> ModuleType:
    spec = importlib.util.spec_from_file_location("ctxproxy_image_build", DEPLOY / "image" / "build.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_pip_settings_come_from_pip_config_and_environment(
    build: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wheels, index, cert = tmp_path / "wheels", tmp_path / "mirror" / "simple", tmp_path / "ca.pem"
    wheels.mkdir()
    index.mkdir(parents=True)
    cert.write_text("-----BEGIN CERTIFICATE-----\n")
    conf = tmp_path / "pip.conf"
    conf.write_text(f"[global]\nindex-url = https://mirror.invalid/simple\nfind-links = {wheels}\n")
    # pip itself reads the file (PIP_CONFIG_FILE), as it reads /etc/pip.conf on a real machine
    for name in [n for n in os.environ if n.startswith("PIP_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("PIP_CONFIG_FILE", str(conf))
    monkeypatch.setenv("PIP_EXTRA_INDEX_URL", f"file://{index} https://other.invalid/simple")
    monkeypatch.setenv("PIP_CERT", str(cert))
    settings = build.pip_settings(dict(os.environ))
    assert settings["index-url"] == "https://mirror.invalid/simple"
    assert settings["find-links"] == str(wheels)
    assert settings["extra-index-url"] == f"file://{index} https://other.invalid/simple"
    assert settings["cert"] == str(cert)
    cmd = build.build_command("podman", "localhost/x:1", "localhost/base:1", settings, "host")
    assert cmd[:2] == ["podman", "build"] and cmd[-1] == "."
    assert "BASE=localhost/base:1" in cmd and "PIP_INDEX_URL=https://mirror.invalid/simple" in cmd
    assert f"PIP_CERT={cert}" in cmd
    # local paths are mounted read-only at the same path (a file:// index with its parent,
    # where PEP 503 pages link to: ../../files/x.whl); URLs are not
    volumes = sorted(cmd[i + 1] for i, a in enumerate(cmd) if a == "--volume")
    assert volumes == sorted(f"{p}:{p}:ro" for p in (wheels, index.parent, cert))
    runtime = (["--runtime", "runc"], ["--ulimit", "nproc=4096:4096"])
    cmd = build.build_command("podman", "localhost/x:1", "localhost/base:1", {}, "host", runtime)
    assert cmd[:5] == ["podman", "--runtime", "runc", "build", "--ulimit"]
    assert build.build_command("buildah", "x", "b", {}, "host")[:4] == [
        "buildah",
        "bud",
        "--isolation",
        "chroot",
    ]


def test_every_pip_setting_passed_is_a_dockerfile_argument(
    build: ModuleType, dockerfile: list[tuple[str, str]]
) -> None:
    declared = {rest.split("=")[0] for w, rest in dockerfile if w == "ARG"}
    for key in build.PIP_KEYS:
        assert "PIP_" + key.upper().replace("-", "_") in declared


def test_build_script_runs_with_the_system_python(build: ModuleType) -> None:
    """Standard library only: `make image` runs it before any virtualenv exists."""
    source = (DEPLOY / "image" / "build.py").read_text()
    imported = {m.split(".")[0] for m in re.findall(r"^(?:from|import) ([\w.]+)", source, re.M)}
    assert imported - {"__future__"} <= set(sys.stdlib_module_names)


def test_compose_runs_the_image_hardened() -> None:
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    svc = compose["services"]["ctxproxy"]
    assert svc["build"]["dockerfile"] == "deploy/Dockerfile" and "BASE" in svc["build"]["args"]
    assert svc["read_only"] is True and "/tmp" in svc["tmpfs"] and svc["cap_drop"] == ["ALL"]
    assert any(v.endswith(":/var/cache/ctxproxy") for v in svc["volumes"])
    assert all(p.startswith("127.0.0.1:") for p in svc["ports"])
