"""deploy/helm/ctxproxy, linted and rendered by Helm's own Go engine (helm-python-sdk, Helm v4).

No cluster here: what the chart renders is checked field by field, its ConfigMap and Secret
are loaded through ctxproxy's real config loader the way the pod receives them (file + env),
and its probes are run against a real proxy on loopback.
"""

from __future__ import annotations

import asyncio
import socket
import sys
from pathlib import Path
from typing import Any

import aiohttp
import helm_python as helm
import pytest
import yaml
from aiohttp import web

from proxy.app import create_app
from proxy.config import Settings, load_settings

CHART = Path(__file__).resolve().parents[2] / "deploy" / "helm" / "ctxproxy"
AGENT = {"name": "agent", "image": "agent:1", "env": [{"name": "OPENAI_BASE_URL", "value": "x"}]}
WARNING = 2  # helm lint severities: 1 info, 2 warning, 3 error


def render(values: dict[str, Any] | None = None) -> dict[tuple[str, str], dict[str, Any]]:
    """{(kind, name): manifest} of one release."""
    with helm.Chart.load(CHART) as chart:
        files = chart.render(values or {}, name="rel", namespace="ns")
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for path, text in files.items():
        if path.endswith("NOTES.txt"):
            continue
        for doc in yaml.safe_load_all(text):
            if doc:
                out[(doc["kind"], doc["metadata"]["name"])] = doc
    return out


def pod(docs: dict[tuple[str, str], dict[str, Any]]) -> dict[str, Any]:
    return docs[("Deployment", "rel-ctxproxy")]["spec"]["template"]["spec"]


def proxy_container(spec: dict[str, Any]) -> dict[str, Any]:
    found = [c for c in spec.get("initContainers", []) + spec["containers"] if c["name"] == "ctxproxy"]
    assert len(found) == 1
    return found[0]


def pod_settings(docs: dict[tuple[str, str], dict[str, Any]], tmp_path: Path) -> Settings:
    """ctxproxy's settings as the pod gets them: the ConfigMap file, env and envFrom Secrets."""
    cfg = tmp_path / "ctxproxy.yaml"
    cfg.write_text(docs[("ConfigMap", "rel-ctxproxy")]["data"]["ctxproxy.yaml"])
    container = proxy_container(pod(docs))
    secrets = {name: d.get("stringData", {}) for (kind, name), d in docs.items() if kind == "Secret"}
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        env.update(secrets[source["secretRef"]["name"]])
    for item in container["env"]:
        if "value" in item:
            env[item["name"]] = item["value"]
        else:
            ref = item["valueFrom"]["secretKeyRef"]
            env[item["name"]] = secrets[ref["name"]][ref["key"]]
    assert env.pop("CTXPROXY_CONFIG") == "/etc/ctxproxy/ctxproxy.yaml"
    return load_settings(cfg, environ=env)


def test_helm_lint_is_clean_in_both_modes() -> None:
    for values in (
        None,
        {"mode": "sidecar", "sidecar": {"agentContainers": [AGENT]}},
        {
            "redis": {"enabled": True, "url": "redis://r:6379/0"},
            "proxyKeys": {"values": ["pk-0123456789abcdef"]},
        },
    ):
        report = helm.lint(CHART, values, strict=True)
        problems = [m for m in report["messages"] if m["severity"] >= WARNING]
        assert report["errors"] == [] and problems == [], (values, report)


def test_helm_lint_reports_a_broken_chart(tmp_path: Path) -> None:
    """The lint above can fail: a template error is reported as one."""
    broken = tmp_path / "ctxproxy"
    with helm.Chart.load(CHART) as chart:
        chart.save_dir(tmp_path)
    (broken / "templates" / "service.yaml").write_text("kind: Service\nmetadata: {{ .Values.nope.x }}\n")
    report = helm.lint(broken, strict=True)
    assert any(m["severity"] >= WARNING for m in report["messages"]) or report["errors"]


def test_standalone_defaults(tmp_path: Path) -> None:
    docs = render()
    assert {k for k, _ in docs} == {"ConfigMap", "Deployment", "Service", "PodDisruptionBudget"}
    spec = pod(docs)
    c = proxy_container(spec)
    assert c["image"] == "localhost/ctxproxy:0.1.0" and c["args"] == ["serve"]
    assert c["startupProbe"]["httpGet"]["path"] == "/readyz"
    assert c["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert c["livenessProbe"]["httpGet"]["path"] == "/livez"
    assert docs[("Service", "rel-ctxproxy")]["spec"]["ports"][0]["targetPort"] == "http"
    settings = pod_settings(docs, tmp_path)
    assert settings.server.host == "0.0.0.0" and settings.storage.backend == "memory"
    assert not settings.server.proxy_keys
    assert "envFrom" not in c  # no Secret at all without redis or keys


def test_hardened_as_the_image_expects() -> None:
    for values in (None, {"mode": "sidecar", "sidecar": {"agentContainers": [AGENT]}}):
        spec = pod(render(values))
        c = proxy_container(spec)
        ctx = {**spec["securityContext"], **c["securityContext"]}
        assert (ctx["runAsUser"], ctx["runAsGroup"], ctx["runAsNonRoot"]) == (10001, 10001, True)
        assert ctx["readOnlyRootFilesystem"] is True and ctx["allowPrivilegeEscalation"] is False
        assert ctx["capabilities"] == {"drop": ["ALL"]}
        mounts = {m["mountPath"]: m["name"] for m in c["volumeMounts"]}
        assert {"/etc/ctxproxy", "/var/cache/ctxproxy", "/tmp"} <= set(mounts)
        volumes = {v["name"] for v in spec["volumes"]}
        assert set(mounts.values()) <= volumes


def test_redis_url_is_a_secret_not_config(tmp_path: Path) -> None:
    url = "redis://:s3cret@redis-master:6379/2"
    docs = render(
        {
            "redis": {"enabled": True, "url": url},
            "proxyKeys": {"values": ["pk-1-0123456789abcdef", "pk-2-0123456789abcdef"]},
        }
    )
    assert url not in docs[("ConfigMap", "rel-ctxproxy")]["data"]["ctxproxy.yaml"]
    assert docs[("Secret", "rel-ctxproxy-secrets")]["stringData"]["CTXPROXY_STORAGE__URL"] == url
    settings = pod_settings(docs, tmp_path)
    assert settings.storage.backend == "redis" and settings.storage.url == url
    assert settings.storage.lookup_budget_ms == 30 and settings.storage.breaker_failures == 3
    assert list(settings.server.proxy_keys) == ["pk-1-0123456789abcdef", "pk-2-0123456789abcdef"]


def test_redis_url_from_an_existing_secret() -> None:
    docs = render({"redis": {"enabled": True, "existingSecret": "mine", "existingSecretKey": "url"}})
    assert not [k for k in docs if k[0] == "Secret"]  # nothing of ours to create
    env = {e["name"]: e for e in proxy_container(pod(docs))["env"]}
    assert env["CTXPROXY_STORAGE__URL"]["valueFrom"]["secretKeyRef"] == {"name": "mine", "key": "url"}


def test_redis_without_url_is_refused() -> None:
    with pytest.raises(helm.HelmError, match=r"redis\.enabled needs redis\.url"):
        render({"redis": {"enabled": True}})


def test_sidecar_mode_is_a_native_sidecar_on_loopback(tmp_path: Path) -> None:
    docs = render({"mode": "sidecar", "sidecar": {"agentContainers": [AGENT]}})
    assert {k for k, _ in docs} == {"ConfigMap", "Deployment"}  # no Service: pod-local only
    spec = pod(docs)
    (init,) = spec["initContainers"]
    assert init["name"] == "ctxproxy" and init["restartPolicy"] == "Always"
    assert [c["name"] for c in spec["containers"]] == ["agent"]
    # the agent keeps its image's user: only ctxproxy's container is pinned to 10001
    assert spec["securityContext"]["runAsNonRoot"] is True
    assert not {"runAsUser", "runAsGroup", "fsGroup"} & set(spec["securityContext"])
    assert "securityContext" not in spec["containers"][0]
    assert all("exec" in init[p] for p in ("startupProbe", "readinessProbe", "livenessProbe"))
    assert pod_settings(docs, tmp_path).server.host == "127.0.0.1"
    plain = pod(render({"mode": "sidecar", "sidecar": {"native": False, "agentContainers": [AGENT]}}))
    assert "initContainers" not in plain and [c["name"] for c in plain["containers"]] == ["ctxproxy", "agent"]


def test_bad_values_fail_with_a_message() -> None:
    with pytest.raises(helm.HelmError, match=r"sidecar\.agentContainers"):
        render({"mode": "sidecar"})
    # values.schema.json, checked by Helm before rendering
    for values, message in (
        ({"mode": "daemonset"}, "at '/mode': value must be one of 'standalone', 'sidecar'"),
        ({"replicaCount": "two"}, "at '/replicaCount': got string, want integer"),
        ({"proxyKeys": {"values": ["short"]}}, "at '/proxyKeys/values/0': minLength"),
        ({"redis": {"enabled": True, "url": "http://r:6379"}}, "at '/redis/url'"),
        ({"config": {"server": {"port": 0}}}, "at '/config/server/port'"),
    ):
        with pytest.raises(helm.HelmValuesError) as err:
            render(values)
        assert message in str(err.value), (values, str(err.value))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _run_probe(command: list[str]) -> int:
    assert command[0] == "python"  # the image's venv python is first on PATH
    proc = await asyncio.create_subprocess_exec(
        sys.executable, *command[1:], stderr=asyncio.subprocess.DEVNULL
    )
    return await asyncio.wait_for(proc.wait(), 30)


async def test_probes_answer_against_a_real_proxy(tmp_path: Path) -> None:
    port = _free_port()
    values = {
        "mode": "sidecar",
        "sidecar": {"agentContainers": [AGENT]},
        "config": {
            "server": {"port": port},
            # offline: no catalog refresh from the network
            "catalog": {
                "cache_dir": str(tmp_path / "cache"),
                "refresh_on_start": False,
                "sources": ["litellm"],
            },
        },
    }
    docs = render(values)
    init = pod(docs)["initContainers"][0]
    settings = pod_settings(docs, tmp_path)
    runner = web.AppRunner(create_app(settings), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, settings.server.host, settings.server.port).start()
    try:
        # As the kubelet does, retry until ready: /readyz is 503 until the encodings are
        # loaded, which takes a few seconds on a loaded host.
        async with aiohttp.ClientSession() as s:
            for _ in range(300):
                async with s.get(f"http://127.0.0.1:{port}/readyz") as r:
                    if r.status == 200:
                        break
                await asyncio.sleep(0.1)
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            assert await _run_probe(init[probe]["exec"]["command"]) == 0, probe
        # the standalone httpGet probes name routes that answer 200 on the same app
        standalone = proxy_container(pod(render()))
        async with aiohttp.ClientSession() as s:
            for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
                path = standalone[probe]["httpGet"]["path"]
                async with s.get(f"http://127.0.0.1:{port}{path}") as r:
                    assert r.status == 200, path
    finally:
        await runner.cleanup()
    # and the exec probe fails when nothing answers
    assert await _run_probe(init["livenessProbe"]["exec"]["command"]) != 0
