"""Where settings come from: embedded default YAML < user YAML file < CTXPROXY_* environment < CLI flags."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from proxy.config.checks import check
from proxy.config.coerce import build
from proxy.config.settings import ConfigError, Settings

ENV_PREFIX = "CTXPROXY_"


def default_config_path() -> Path:
    """The embedded default: ``configs/default.yaml`` (source tree) or the wheel's copy."""
    here = Path(__file__).resolve().parent.parent  # proxy/
    for candidate in (here.parent / "configs" / "default.yaml", here / "default.yaml"):
        if candidate.is_file():
            return candidate
    raise ConfigError("embedded default config not found (configs/default.yaml)")


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: invalid YAML: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: top level must be a mapping")
    return data


def deep_merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def env_overrides(environ: Mapping[str, str]) -> dict[str, Any]:
    """``CTXPROXY_SERVER__PORT=9000`` → ``{"server": {"port": 9000}}`` (``__`` nests).

    Values are parsed as YAML scalars/flow collections (``true``, ``[a, b]``, ``{a: 1}``,
    ``0.8``); anything else YAML would read as a mapping (``::``, ``a: b``) stays a string.
    ``CTXPROXY_CONFIG`` (the file path) and ``CTXPROXY_*_KEY``-style secrets are not keys.
    """
    out: dict[str, Any] = {}
    for name, raw in environ.items():
        if not name.startswith(ENV_PREFIX) or name == ENV_PREFIX + "CONFIG":
            continue
        path = [p.lower() for p in name[len(ENV_PREFIX) :].split("__") if p]
        if not path:
            continue
        try:
            value = yaml.safe_load(raw) if raw != "" else ""
        except yaml.YAMLError:
            value = raw
        if isinstance(value, dict) and not raw.lstrip().startswith("{"):
            value = raw  # block-mapping syntax in one line is a string: ``::`` (every IPv6 address)
        node = out
        for part in path[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ConfigError(f"environment variable {name} conflicts with another")
        node[path[-1]] = value
    return out


def load_settings(
    path: str | os.PathLike[str] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Load settings: default < file (``path`` or ``$CTXPROXY_CONFIG``) < env < overrides."""
    environ = os.environ if environ is None else environ
    data = _read_yaml(default_config_path())
    file_path = path or environ.get(ENV_PREFIX + "CONFIG")
    if file_path:
        data = deep_merge(data, _read_yaml(Path(file_path).expanduser()))
    data = deep_merge(data, env_overrides(environ))
    if overrides:
        data = deep_merge(data, overrides)
    return settings_from_dict(data)


def settings_from_dict(data: Mapping[str, Any]) -> Settings:
    settings = build(Settings, data, "")
    check(settings)
    return settings
