"""A proxy config pointed at the fake catalog server: each provider's upstream at its
endpoint on the fake (the real path under ``/{provider}``), and a fake key for each."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.fakes.catalog_server import FakeCatalogServer

# Where each provider's endpoint lives on the fake: upstream settings for it.
UPSTREAMS: dict[str, dict[str, Any]] = {
    "openai": {"path": "/v1", "key": "OPENAI_API_KEY"},
    "anthropic": {"path": "", "api": "anthropic", "key": "ANTHROPIC_API_KEY", "models_url": "/v1/models"},
    "xai": {"path": "/v1", "key": "XAI_API_KEY"},
    "groq": {"path": "/openai/v1", "key": "GROQ_API_KEY"},
    "nebius": {"path": "/v1", "key": "NEBIUS_API_KEY"},
    "gemini": {"path": "/v1beta/openai", "key": "GEMINI_API_KEY", "models_url": "/v1beta/models"},
    "mistral": {"path": "/v1", "key": "MISTRAL_API_KEY"},
    "deepseek": {"path": "", "key": "DEEPSEEK_API_KEY"},
    "together": {"path": "/v1", "key": "TOGETHER_API_KEY"},
    "fireworks": {
        "path": "/inference/v1",
        "key": "FIREWORKS_API_KEY",
        "models_url": "/v1/accounts/fireworks/models",
    },
    "cerebras": {"path": "/v1", "key": "CEREBRAS_API_KEY"},
    "openrouter": {"path": "/api/v1", "key": "OPENROUTER_API_KEY"},
    "vllm": {"path": "/v1", "key": None},
    "ollama": {"path": "/v1", "key": None},
    "lmstudio": {"path": "/v1", "key": None},
}


def catalog_config(
    server: FakeCatalogServer,
    cache_dir: str,
    providers: list[str],
    *,
    sources: list[str] | None = None,
    **catalog: Any,
) -> dict[str, Any]:
    """A complete config dict (no embedded defaults, so nothing points at the internet)."""
    upstreams = {}
    for name in providers:
        spec = UPSTREAMS[name]
        up: dict[str, Any] = {
            "base_url": server.base(name) + spec["path"],
            "api": spec.get("api", "openai"),
            "api_key_env": spec["key"],
        }
        if "models_url" in spec:
            up["models_url"] = server.base(name) + spec["models_url"]
        upstreams[name] = up
    return {
        "default_upstream": providers[0],
        "upstreams": upstreams,
        "catalog": {
            "cache_dir": cache_dir,
            "sources": sources if sources is not None else ["native"],
            "timeout_s": 2.0,
            "litellm_remote_url": server.base("litellm") + "/map.json",
            "models_dev_url": server.base("models_dev") + "/api.json",
            "openrouter_url": server.base("openrouter") + "/api/v1/models",
            **catalog,
        },
    }


def all_keys() -> dict[str, str]:
    """A fake key for every provider that needs one."""
    return {spec["key"]: f"test-{name}" for name, spec in UPSTREAMS.items() if spec["key"]}
