"""``ctxproxy compress``: the model and the limits of a saved request, asked of the chat API and
the catalog (no knowledge of its own about where an API names its model)."""

from __future__ import annotations

from pathlib import Path

from proxy.compress.cli import catalog_limits, model_from
from proxy.config import load_settings


def test_the_model_is_where_the_api_puts_it() -> None:
    path = "/gemini/v1beta/models/gemini-2.5-pro:generateContent?alt=sse"
    assert model_from("gemini", {"contents": []}, path) == "gemini-2.5-pro"
    assert model_from("openai-chat", {"model": "gpt-4o", "messages": []}, None) == "gpt-4o"
    # a path is only the model's home for an API that puts it there
    assert model_from("openai-chat", {"model": "gpt-4o"}, "/openai/v1/models/x:generateContent") == "gpt-4o"
    assert model_from("anthropic", {"messages": []}, None) is None


async def test_limits_come_from_the_catalog_or_not_at_all(tmp_path: Path) -> None:
    settings = load_settings(
        environ={}, overrides={"catalog": {"cache_dir": str(tmp_path), "refresh_on_start": False}}
    )
    known = await catalog_limits(settings, "gpt-4o")
    assert known is not None and known.context_window == 128_000 and known.max_output_tokens
    assert await catalog_limits(settings, "no-such-model-anywhere") is None
