"""Typed settings: embedded default YAML < user YAML file < CTXPROXY_* environment < CLI flags.

Every key has a default (``configs/default.yaml``). Unknown keys and wrong types fail fast
with a :class:`ConfigError` naming the dotted key, e.g. ``server.port: expected int, got 'abc'``.

- ``settings``: the dataclasses; ``sources``: reading and merging the layers;
  ``coerce``: plain data to typed settings; ``checks``: cross-key rules; ``redact``: showing them.
"""

from proxy.config.redact import redacted
from proxy.config.settings import (
    CatalogSettings,
    CompressionSettings,
    ConfigError,
    LoggingSettings,
    PolicyOverride,
    ServerSettings,
    Settings,
    StatusSettings,
    StorageSettings,
    StrategyName,
    SummarizerSettings,
    SummaryShare,
    UpstreamSettings,
)
from proxy.config.sources import (
    ENV_PREFIX,
    deep_merge,
    default_config_path,
    env_overrides,
    load_settings,
    settings_from_dict,
)

__all__ = [
    "ENV_PREFIX",
    "CatalogSettings",
    "CompressionSettings",
    "ConfigError",
    "LoggingSettings",
    "PolicyOverride",
    "ServerSettings",
    "Settings",
    "StatusSettings",
    "StorageSettings",
    "StrategyName",
    "SummarizerSettings",
    "SummaryShare",
    "UpstreamSettings",
    "deep_merge",
    "default_config_path",
    "env_overrides",
    "load_settings",
    "redacted",
    "settings_from_dict",
]
