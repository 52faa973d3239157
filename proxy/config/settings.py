"""The typed settings: one frozen dataclass per config section, with its defaults."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Literal

from proxy.wire.families import FamilyName

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
    # Anthropic: cache_control breakpoints on the stable compacted prefix when the client set none
    cache_breakpoints: bool = True
    # compact between the target and the trigger when the provider's cache prices say it pays
    # (a model of no known cache family: the trigger alone; docs/compression.md)
    cost_aware: bool = True
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
