"""``ctxproxy compress``: the model and the limits of a saved request, asked of the chat API and
the catalog (no knowledge of its own about where an API names its model)."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from proxy.cli import main
from proxy.compress.cli import catalog_limits, model_from
from proxy.config import load_settings
from proxy.wire import api_mismatch


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


def _compress(tmp_path: Path, body: dict[str, object], *args: str) -> int:
    path = tmp_path / "body.json"
    path.write_bytes(orjson.dumps(body))
    return main(["compress", str(path), "--context-window", "32000", *args])


def test_a_body_of_another_api_is_refused_with_the_right_api_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chat = {
        "model": "gpt-4o",
        "messages": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"}],
    }
    for api in ("anthropic", "gemini", "openai-responses"):
        assert _compress(tmp_path, chat, "--api", api) == 2
        err = capsys.readouterr().err
        assert f"not a valid {api} request" in err and "pass --api openai-chat" in err, err
    assert "role 'system'" in (_compress(tmp_path, chat, "--api", "anthropic"), capsys.readouterr().err)[1]
    claude = {
        "model": "claude-sonnet-4-5",
        "system": "be brief",
        "messages": [{"role": "user", "content": "hi"}],
    }
    assert _compress(tmp_path, claude, "--api", "openai-chat") == 2
    assert "pass --api anthropic" in capsys.readouterr().err


def test_a_body_that_fits_its_api_is_not_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plain = {"model": "claude-sonnet-4-5", "messages": [{"role": "user", "content": "hi"}]}
    assert api_mismatch("anthropic", plain) is None and api_mismatch("openai-chat", plain) is None
    assert _compress(tmp_path, plain, "--api", "anthropic") == 0
    assert capsys.readouterr().out.startswith("api anthropic · model claude-sonnet-4-5")
    # without --api the shape decides, as before
    chat = {"model": "gpt-4o", "messages": [{"role": "system", "content": "be brief"}]}
    assert _compress(tmp_path, chat) == 0
