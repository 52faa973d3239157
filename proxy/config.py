"""Typed settings: embedded default YAML < user YAML file < CTXPROXY_* environment < CLI flags.

Every key has a default (``configs/default.yaml``). Unknown keys and wrong types fail fast
with a :class:`ConfigError` naming the dotted key, e.g. ``server.port: expected int, got 'abc'``.
"""

from __future__ import annotations

import dataclasses
import os
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from proxy.wire.families import FamilyName

ENV_PREFIX = "CTXPROXY_"
StrategyName = Literal["conservative", "balanced", "aggressive"]


class ConfigError(ValueError):
    """A configuration value is missing, unknown or of the wrong type."""


@dataclass(frozen=True)
class ServerSettings:
    host: str = "127.0.0.1"
    port: int = 8787
    workers: int = 1
    max_body_mb: float = 64.0
    # Keys clients present in ``x-ctxproxy-key``. When set, every proxied request needs one.
    proxy_keys: list[str] = field(default_factory=list)
    # Client keys treated as "no key": the upstream's api_key_env key is injected instead.
    placeholder_keys: list[str] = field(
        default_factory=lambda: [
            "",
            "dummy",
            "dummy-key",
            "sk-dummy",
            "placeholder",
            "none",
            "EMPTY",
            "ctxproxy",
        ]
    )
    connect_timeout_s: float = 10.0
    read_timeout_s: float = 600.0  # idle time between two reads of an upstream response
    drain_grace_s: float = 30.0
    pool_size: int = 1024
    pool_size_per_host: int = 0  # 0 = unlimited per host (bounded by pool_size)
    access_log: bool = False


@dataclass(frozen=True)
class UpstreamSettings:
    base_url: str
    api: FamilyName = "openai"
    api_key_env: str | None = None
    # Extra headers always sent to this upstream (e.g. anthropic-version defaults).
    headers: dict[str, str] = field(default_factory=dict)
    # Where the provider lists its models, when it differs from ``{base_url}/models``.
    models_url: str | None = None
    # Catalog provider name when it differs from the upstream's name ("native" source).
    provider: str | None = None
    # Responses chains (previous_response_id): native compaction support near the limit.
    responses_compaction: Literal["context_management", "truncation", "off"] = "off"
    # mode "upstream" summarizer: the cheaper model of this provider used for summaries.
    summary_model: str | None = None


@dataclass(frozen=True)
class CatalogSettings:
    cache_dir: str = "~/.cache/ctxproxy"
    refresh_interval_s: float = 21600.0
    refresh_on_start: bool = True
    sources: list[str] = field(default_factory=lambda: ["litellm", "models_dev", "openrouter", "native"])
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
    timeout_s: float = 20.0
    webhook_url: str | None = None
    litellm_remote_url: str = (
        "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json"
    )
    models_dev_url: str = "https://models.dev/api.json"
    openrouter_url: str = "https://openrouter.ai/api/v1/models"
    # An unknown model's window: small on purpose (retired models such as gpt-3.5-turbo-0301
    # had 4,096). Compressing early is cheap; overflowing is a failed request.
    default_context_window: int = 4096
    default_max_output_tokens: int = 1024


@dataclass(frozen=True)
class SummarizerSettings:
    mode: Literal["extractive", "llm", "upstream"] = "extractive"
    model: str | None = None
    upstream: str | None = None
    timeout_s: float = 30.0
    max_tokens: int = 1024
    api_base: str | None = None  # mode llm: e.g. a local OpenAI-compatible server
    api_key_env: str | None = None  # mode llm: env var with the summarizer's key
    failure_threshold: int = 3
    cooldown_s: float = 60.0


@dataclass(frozen=True)
class SummaryShare:
    """Bounds of the share of the target the summary may take (``None``: the preset's)."""

    min: float | None = None
    max: float | None = None


@dataclass(frozen=True)
class PolicyOverride:
    """Per-model or per-agent overrides: every field optional."""

    enabled: bool | None = None
    strategy: StrategyName | None = None
    trigger: float | None = None
    target: float | None = None
    keep_recent_groups: int | None = None
    keep_tool_results: int | None = None
    safety_margin: float | None = None
    summary_share: SummaryShare | None = None


@dataclass(frozen=True)
class CompressionSettings:
    enabled: bool = True
    strategy: StrategyName = "balanced"
    trigger: float | None = None  # None: the strategy preset decides
    target: float | None = None
    keep_recent_groups: int | None = None
    keep_tool_results: int | None = None
    safety_margin: float = 0.03  # fraction of the window kept free for counting error
    summary_share: SummaryShare = field(default_factory=SummaryShare)  # None bounds: the preset's
    summarizer: SummarizerSettings = field(default_factory=SummarizerSettings)
    models: dict[str, PolicyOverride] = field(default_factory=dict)
    agents: dict[str, PolicyOverride] = field(default_factory=dict)


@dataclass(frozen=True)
class StorageSettings:
    backend: Literal["memory", "redis"] = "memory"
    url: str | None = None
    max_items: int = 10000
    max_mb: float = 64.0  # memory backend: at most this many MB of values (least recently used go)
    ttl_s: float = 86400.0
    # redis: the local copy answers when Redis does not within the budget / timeout
    lookup_budget_ms: float = 30.0  # how long a request waits for a Redis lookup
    timeout_s: float = 0.5  # redis-py socket and connect timeout (background writes, probes)
    write_queue: int = 1000  # writes waiting for Redis; the oldest are shed past this
    breaker_failures: int = 3  # consecutive failures that stop calls to Redis
    probe_max_s: float = 5.0  # longest back-off between probes while Redis is down


@dataclass(frozen=True)
class StatusSettings:
    """The status page's rolling window: ``window_buckets`` buckets of ``bucket_s`` seconds."""

    bucket_s: float = 60.0
    window_buckets: int = 60


@dataclass(frozen=True)
class LoggingSettings:
    level: Literal["debug", "info", "warning", "error"] = "info"
    format: Literal["json", "console"] = "json"


@dataclass(frozen=True)
class Settings:
    server: ServerSettings = field(default_factory=ServerSettings)
    default_upstream: str = "openai"
    upstreams: dict[str, UpstreamSettings] = field(default_factory=dict)
    # Bare /v1 routing by model prefix (groq/llama-… → groq). Off: every bare /v1 request goes to
    # default_upstream as sent (e.g. OpenRouter as default, whose own ids look like openai/gpt-4o).
    model_prefix_routing: bool = True
    # A prefix that is not an upstream's name → that upstream.
    model_prefixes: dict[str, str] = field(default_factory=dict)
    catalog: CatalogSettings = field(default_factory=CatalogSettings)
    compression: CompressionSettings = field(default_factory=CompressionSettings)
    storage: StorageSettings = field(default_factory=StorageSettings)
    logging: LoggingSettings = field(default_factory=LoggingSettings)
    status: StatusSettings = field(default_factory=StatusSettings)

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)


# ---------------------------------------------------------------------------------------
# loading


def default_config_path() -> Path:
    """The embedded default: ``configs/default.yaml`` (source tree) or the wheel's copy."""
    here = Path(__file__).resolve().parent
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

    Values are parsed as YAML scalars/flow collections (``true``, ``[a, b]``, ``0.8``).
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
    settings = _build(Settings, data, "")
    _check(settings)
    return settings


def _check(s: Settings) -> None:
    if s.default_upstream not in s.upstreams:
        raise ConfigError(f"default_upstream: {s.default_upstream!r} is not a configured upstream")
    if not 0 < s.server.port < 65536:
        raise ConfigError("server.port: must be between 1 and 65535")
    if s.server.workers < 1:
        raise ConfigError("server.workers: must be ≥ 1")
    if s.server.max_body_mb <= 0:
        raise ConfigError("server.max_body_mb: must be > 0")
    for name, up in s.upstreams.items():
        if not up.base_url.startswith(("http://", "https://")):
            raise ConfigError(f"upstreams.{name}.base_url: must start with http:// or https://")
        if "/" in name or not name:
            raise ConfigError(f"upstreams.{name}: a name cannot contain '/'")
    for prefix, target in s.model_prefixes.items():
        if target not in s.upstreams:
            raise ConfigError(f"model_prefixes.{prefix}: {target!r} is not a configured upstream")
    c = s.compression
    for label, trig, targ in [("compression", c.trigger, c.target)] + [
        (f"compression.{kind}.{k}", v.trigger, v.target)
        for kind, table in (("models", c.models), ("agents", c.agents))
        for k, v in table.items()
    ]:
        for key, val in (("trigger", trig), ("target", targ)):
            if val is not None and not 0 < val <= 1:
                raise ConfigError(f"{label}.{key}: must be in (0, 1]")
        if trig is not None and targ is not None and targ >= trig:
            raise ConfigError(f"{label}.target: must be below trigger ({targ} ≥ {trig})")
    for label, share in [("compression", c.summary_share)] + [
        (f"compression.{kind}.{k}", v.summary_share)
        for kind, table in (("models", c.models), ("agents", c.agents))
        for k, v in table.items()
    ]:
        if share is None:
            continue
        for key, val in (("min", share.min), ("max", share.max)):
            if val is not None and not 0 <= val <= 0.95:
                raise ConfigError(f"{label}.summary_share.{key}: must be in [0, 0.95]")
        if share.min is not None and share.max is not None and share.min > share.max:
            raise ConfigError(f"{label}.summary_share: min must not exceed max ({share.min} > {share.max})")
    if c.summarizer.mode == "llm" and not c.summarizer.model:
        raise ConfigError("compression.summarizer.model: required when mode is 'llm'")
    if c.summarizer.upstream is not None and c.summarizer.upstream not in s.upstreams:
        raise ConfigError(f"compression.summarizer.upstream: unknown upstream {c.summarizer.upstream!r}")
    if s.storage.backend == "redis" and not s.storage.url:
        raise ConfigError("storage.url: required when storage.backend is 'redis'")
    st = s.storage
    if not (st.lookup_budget_ms > 0 and st.timeout_s > 0 and st.probe_max_s > 0):
        raise ConfigError("storage: lookup_budget_ms, timeout_s and probe_max_s must be positive")
    if st.write_queue < 1 or st.breaker_failures < 1:
        raise ConfigError("storage: write_queue and breaker_failures must be at least 1")
    if not s.status.bucket_s >= 1:
        raise ConfigError("status.bucket_s: must be at least 1 second")
    if not 2 <= s.status.window_buckets <= 10000:
        raise ConfigError("status.window_buckets: must be between 2 and 10000")


def _type_name(tp: Any) -> str:
    return getattr(tp, "__name__", None) or str(tp).replace("typing.", "")


def _build(cls: Any, data: Any, where: str) -> Any:
    if not isinstance(data, Mapping):
        raise ConfigError(f"{where or 'config'}: expected a mapping, got {type(data).__name__}")
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(map(str, data)) - names)
    if unknown:
        key = f"{where}.{unknown[0]}" if where else unknown[0]
        raise ConfigError(f"{key}: unknown key (expected one of: {', '.join(sorted(names))})")
    kwargs = {}
    for f in dataclasses.fields(cls):
        if f.name not in data:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise ConfigError(f"{where}.{f.name}: required key missing".lstrip("."))
            continue
        key = f"{where}.{f.name}" if where else f.name
        kwargs[f.name] = _coerce(hints[f.name], data[f.name], key)
    return cls(**kwargs)


def _coerce(tp: Any, value: Any, key: str) -> Any:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if tp is Any:
        return value
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        errors = []
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _coerce(arg, value, key)
            except ConfigError as exc:
                errors.append(str(exc))
        raise ConfigError(errors[0] if errors else f"{key}: invalid value {value!r}")
    if origin is Literal:
        if value not in args:
            choices = ", ".join(repr(a) for a in args)
            raise ConfigError(f"{key}: expected one of {choices}, got {value!r}")
        return value
    if dataclasses.is_dataclass(tp):
        return _build(tp, value, key)
    if origin is list:
        if not isinstance(value, list):
            raise ConfigError(f"{key}: expected a list, got {type(value).__name__}")
        return [_coerce(args[0], v, f"{key}[{i}]") for i, v in enumerate(value)]
    if origin is dict:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise ConfigError(f"{key}: expected a mapping, got {type(value).__name__}")
        return {str(k): _coerce(args[1], v, f"{key}.{k}") for k, v in value.items()}
    if tp is bool:
        if isinstance(value, bool):
            return value
        raise ConfigError(f"{key}: expected true/false, got {value!r}")
    if tp is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise ConfigError(f"{key}: expected int, got {value!r}")
    if tp is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        raise ConfigError(f"{key}: expected number, got {value!r}")
    if tp is str:
        if isinstance(value, str):
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        raise ConfigError(f"{key}: expected string, got {value!r}")
    raise ConfigError(f"{key}: unsupported type {_type_name(tp)}")


# ---------------------------------------------------------------------------------------
# showing

_SECRET_WORDS = ("key", "secret", "token", "password", "authorization", "auth", "credential", "cookie")
# Mappings whose every value is a secret, whatever its name: headers sent upstream carry
# Authorization, api-key, cookies, vendor tokens…
_SECRET_MAPPINGS = ("headers",)


def _redact_url(text: str) -> str:
    """``scheme://user:pw@host/path?token=x&a=b`` → ``scheme://***@host/path?token=***&a=***``."""
    scheme, rest = text.split("://", 1)
    hostpart, sep, tail = rest.partition("/")
    if "@" in hostpart:
        hostpart = "***@" + hostpart.rsplit("@", 1)[1]
    if "?" in hostpart:  # no path: the query follows the host
        hostpart, _, query = hostpart.partition("?")
        tail, sep = "?" + query, ""
    path, qmark, query = tail.partition("?")
    if qmark:
        fragment = ""
        if "#" in query:
            query, fragment = query.split("#", 1)
            fragment = "#" + fragment
        params = [p.split("=", 1)[0] + "=***" if "=" in p else p for p in query.split("&")]
        tail = path + "?" + "&".join(params) + fragment
    return f"{scheme}://{hostpart}{sep}{tail}"


def redacted(settings: Settings) -> dict[str, Any]:
    """The effective settings as plain data with secrets hidden: proxy keys, values of keys that
    name a secret (``*key*``, ``*token*``, ``authorization``…), every header value, and the
    credentials and query values of URLs (``webhook_url: https://h/hook?token=…``)."""

    def walk(node: Any, name: str = "", secret: bool = False) -> Any:
        if isinstance(node, dict):
            inner = secret or name in _SECRET_MAPPINGS
            return {k: walk(v, k, inner) for k, v in node.items()}
        if isinstance(node, list):
            if name == "proxy_keys":
                return ["***"] * len(node)
            return [walk(v, name, secret) for v in node]
        if isinstance(node, str):
            low = name.lower()
            if secret or (
                any(w in low for w in _SECRET_WORDS)
                and not low.endswith("_env")
                and low != "placeholder_keys"
            ):
                return "***" if node else node
            if "://" in node:
                return _redact_url(node)
        return node

    return walk(dataclasses.asdict(settings))  # type: ignore[no-any-return]
