"""Checks across keys that types alone cannot express (ranges, references between sections)."""

from __future__ import annotations

from proxy.config.settings import ConfigError, Settings


def check(s: Settings) -> None:
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
