"""Model-id normalisation: the forms clients send and the keys the index stores.

Clients send ``gpt-4o``, ``gpt-4o-2024-08-06``, ``groq/openai/gpt-oss-120b`` (LiteLLM prefix),
``accounts/fireworks/models/gpt-oss-120b``, ``models/gemini-2.5-pro``,
``anthropic/claude-sonnet-4.5:free`` (OpenRouter). :func:`candidates` turns one such id into
the ordered keys to try; :func:`index_keys` gives the keys a catalog entry is found under.
Keys are lower-case. Levels: 0 exact, 1 declared/derived alias, 2 undated, 3 loose.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

# LiteLLM ``litellm_provider`` / id prefixes → our provider names.
LITELLM_PROVIDERS = {
    "openai": "openai",
    "text-completion-openai": "openai",
    "anthropic": "anthropic",
    "xai": "xai",
    "groq": "groq",
    "nebius": "nebius",
    "gemini": "gemini",
    "mistral": "mistral",
    "codestral": "mistral",
    "deepseek": "deepseek",
    "together_ai": "together",
    "fireworks_ai": "fireworks",
    "cerebras": "cerebras",
    "openrouter": "openrouter",
    "ollama": "ollama",
    "ollama_chat": "ollama",
    "lm_studio": "lmstudio",
    "hosted_vllm": "vllm",
    "vllm": "vllm",
}
# Prefixes a client may put in front of a model id to name the provider.
PROVIDER_PREFIXES = {
    **LITELLM_PROVIDERS,
    "together": "together",
    "fireworks": "fireworks",
    "lmstudio": "lmstudio",
}
# OpenRouter vendor slugs → our provider names (for matching its entries to native ones).
OPENROUTER_VENDORS = {
    "openai": "openai",
    "anthropic": "anthropic",
    "google": "gemini",
    "x-ai": "xai",
    "mistralai": "mistral",
    "deepseek": "deepseek",
}
# Providers that make models (their ids are the models' own names), as opposed to serving
# platforms (groq, together, openrouter, vllm…) whose rows describe their own endpoints.
MODEL_VENDORS = frozenset({"openai", "anthropic", "gemini", "xai", "mistral", "deepseek"})
_OPENROUTER_VARIANTS = frozenset({"free", "nitro", "beta", "extended", "thinking", "online", "floor"})
_ACCOUNT_PREFIX = re.compile(r"^accounts/[^/]+/models/")
_DATE_SUFFIX = re.compile(r"[-@](?:\d{8}|\d{4}-\d{2}-\d{2})$")


def norm(model_id: str) -> str:
    """Canonical key of an id: lower-case, without ``models/`` or ``accounts/*/models/``."""
    key = model_id.strip().lower()
    if key.startswith("models/"):
        key = key[7:]
    return _ACCOUNT_PREFIX.sub("", key)


def undated(key: str) -> str:
    """``claude-sonnet-4-5-20250929`` → ``claude-sonnet-4-5``; ``gpt-4o-2024-08-06`` → ``gpt-4o``."""
    return _DATE_SUFFIX.sub("", key)


def loose(key: str) -> str:
    """Spelling-insensitive form: ``claude-sonnet-4.5`` and ``claude-sonnet-4-5`` agree."""
    return key.replace(".", "-").replace("_", "-")


def strip_variant(key: str) -> str:
    """OpenRouter ``vendor/model:free`` → ``vendor/model`` (Ollama tags like ``:32b`` stay)."""
    head, sep, tail = key.rpartition(":")
    if sep and tail in _OPENROUTER_VARIANTS:
        return head
    if sep and tail == "latest":
        return head
    return key


def index_keys(model_id: str, aliases: tuple[str, ...] = ()) -> Iterator[tuple[str, int]]:
    """Every (key, level) an entry is found under, each key once at its best level."""
    seen: set[str] = set()
    for key, level in _raw_keys(model_id, aliases):
        if key not in seen:
            seen.add(key)
            yield key, level


def _raw_keys(model_id: str, aliases: tuple[str, ...]) -> Iterator[tuple[str, int]]:
    key = norm(model_id)
    yield key, 0
    for alias in aliases:
        yield norm(alias), 1
    bare = strip_variant(key)
    if bare != key:
        yield bare, 1
    if "/" in bare:  # vendor-prefixed ids (``openai/gpt-oss-120b``) also answer the bare name
        yield bare.rsplit("/", 1)[1], 1
    plain = undated(bare)
    if plain != bare:
        yield plain, 2
    yield loose(plain), 3


def candidates(model: str) -> list[tuple[str | None, str]]:
    """(provider hint, key) pairs to try for a client-sent id, best first."""
    out: list[tuple[str | None, str]] = []
    seen: set[tuple[str | None, str]] = set()

    def add(hint: str | None, key: str) -> None:
        if key and (hint, key) not in seen:
            seen.add((hint, key))
            out.append((hint, key))

    key = norm(model)
    raw = model.strip().lower()
    forms: list[tuple[str | None, str]] = [(None, key)]
    if raw.startswith("accounts/fireworks/"):
        forms.insert(0, ("fireworks", key))
    head, sep, rest = key.partition("/")
    if sep and head in PROVIDER_PREFIXES:
        forms.append((PROVIDER_PREFIXES[head], norm(rest)))
    if sep and head in OPENROUTER_VENDORS:
        forms.append((OPENROUTER_VENDORS[head], strip_variant(norm(rest))))
    for hint, form in forms:
        add(hint, form)
        add(hint, strip_variant(form))
    for hint, form in list(out):
        add(hint, undated(form))
    for hint, form in list(out):
        add(hint, loose(form))
    return out
